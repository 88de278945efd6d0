/**
 * `blfgw sync --from https://HOST:PORT/axl/ --user U --password P [--db FILE] [--follow] [--insecure]
 * [--dialplan DIR] [--poll-ms N]`: pulls users, phones, lines and what they reference (partitions,
 * CSSs, presence groups) from another AXL server into the local store, keeping remote uuids; with
 * `--follow` it then polls the server's `listChange` and applies adds, updates and removals until
 * SIGINT/SIGTERM (the IM & Presence sync agent's job).
 *
 * Exit codes: 0 done (or stopped by a signal while following), 1 the pull failed or some objects
 * could not be written, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { buildDirectory } from '../../core/index.js';
import { loadDialplan, formatDialplanError } from '../../adapters/dialplan-files/index.js';
import { createSqliteDirectoryStore, openSqliteDatabase } from '../../adapters/sqlite-store/index.js';
import { syncFromAxl, type SyncProgress } from '../../adapters/axl/index.js';
import { fileDefinedNames } from './import-command.js';

export const SYNC_USAGE =
  'usage: blfgw sync --from https://HOST:PORT/axl/ --user U --password P [--db FILE] [--follow] [--insecure] [--dialplan DIR] [--poll-ms N]';

/** Where the command writes, and what stops `--follow` (the CLI wires SIGINT/SIGTERM to it). */
export interface SyncIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly stop: AbortSignal;
}

interface SyncFlags {
  readonly from: string;
  readonly user: string;
  readonly password: string;
  readonly db: string;
  readonly dialplan: string;
  readonly follow: boolean;
  readonly insecure: boolean;
  readonly pollMs: number;
}

/** Parses and checks the flags; a string is the usage error. */
export function parseSyncFlags(args: string[]): SyncFlags | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        db: { type: 'string', default: 'var/blfgw.db' },
        dialplan: { type: 'string', default: 'dialplans' },
        follow: { type: 'boolean', default: false },
        insecure: { type: 'boolean', default: false },
        'poll-ms': { type: 'string', default: '2000' },
      },
    }));
  } catch (err) {
    return (err as Error).message;
  }
  if (!values.from || !values.user || values.password === undefined) return '--from, --user and --password are required';
  let url: URL;
  try {
    url = new URL(values.from);
  } catch {
    return `--from: '${values.from}' is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `--from: '${values.from}' is not an http(s) URL`;
  const pollMs = Number(values['poll-ms']);
  if (!Number.isInteger(pollMs) || pollMs < 10) return `--poll-ms: '${values['poll-ms']}' is not a whole number of ms (>= 10)`;
  return {
    from: url.href, user: values.user, password: values.password, db: values.db!, dialplan: values.dialplan!,
    follow: values.follow!, insecure: values.insecure!, pollMs,
  };
}

function progressPrinter(io: SyncIo): { onProgress: (p: SyncProgress) => void; failures: () => number } {
  let failures = 0;
  return {
    failures: () => failures,
    onProgress: (p) => {
      if (p.error) {
        failures++;
        io.err(`sync: ${p.phase}${p.kind ? ` ${p.kind}` : ''}: ${p.error}`);
      } else if (p.phase === 'follow') io.out(`sync: applied change ${p.done} (${p.kind})`);
    },
  };
}

/** The command body (testable: output and stop signal injected). */
export async function syncCommand(args: string[], io: SyncIo): Promise<number> {
  const flags = parseSyncFlags(args);
  if (typeof flags === 'string') {
    io.err(`blfgw sync: ${flags}\n${SYNC_USAGE}`);
    return 2;
  }
  const loaded = await loadDialplan(flags.dialplan);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(formatDialplanError(e));
    return 1;
  }
  const db = openSqliteDatabase(flags.db);
  const printer = progressPrinter(io);
  try {
    const handle = await syncFromAxl({
      url: flags.from, user: flags.user, password: flags.password, store: createSqliteDirectoryStore(db),
      external: fileDefinedNames(buildDirectory(loaded.parts)), insecureTls: flags.insecure,
      follow: flags.follow, pollMs: flags.pollMs, onProgress: printer.onProgress,
    }).catch((err: unknown) => {
      io.err(`blfgw sync: ${flags.from}: ${(err as Error).message}`);
      return undefined;
    });
    if (!handle) return 1;
    io.out(`sync: pulled ${handle.pulled} object(s) from ${flags.from} into ${flags.db}, ${printer.failures()} failed`);
    if (flags.follow) {
      io.out('sync: following changes (stop with Ctrl-C)');
      await new Promise<void>((resolve) => (io.stop.aborted ? resolve() : io.stop.addEventListener('abort', () => resolve(), { once: true })));
      await handle.stop();
      io.out(`sync: stopped after ${handle.applied()} change(s)`);
    }
    return printer.failures() === 0 ? 0 : 1;
  } finally {
    db.close();
  }
}

/** CLI entry: stdout/stderr, stopped by SIGINT or SIGTERM. */
export function runSync(args: string[]): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return syncCommand(args, { out: (l) => console.log(l), err: (l) => console.error(l), stop: stop.signal }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}
