/**
 * Test support for the SIPp interop tests (issue 4 "Prove it"): detects SIPp (Debian `sip-tester`),
 * finds free loopback ports (TCP and UDP both free, as SIPp binds both), runs one SIPp scenario as a
 * child process with a hard deadline, starts the full gateway with an engine-input recorder, and
 * copies the sample dialplan into a temp dir so a test can change it (service limits, hot reload).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startGateway, type Gateway } from '../../src/app/gateway.js';
import { createLogger } from '../../src/app/logger.js';
import type { ConfigOverrides } from '../../src/app/config.js';
import type { Engine, EngineInput } from '../../src/core/index.js';
import { freePort } from './free-port.js';
export { until } from './until.js';

export { freePort };

export const SIPP = spawnSync('sipp', ['-v'], { encoding: 'utf8' }).error === undefined;

/** `skip` option for node:test: false when SIPp is there, else the reason; REQUIRE_INTEROP=1 makes a missing SIPp fatal. */
export function sippSkip(): false | string {
  if (SIPP) return false;
  if (process.env.REQUIRE_INTEROP === '1') throw new Error('REQUIRE_INTEROP=1 but sipp is missing');
  return 'sipp (Debian sip-tester) is not installed';
}

/** Scenario folder (fixtures/sipp, drachtio naming `uac-…-expect-….xml`). */
export const FIX = 'fixtures/sipp';


export interface SippResult {
  readonly code: number | null;
  /** the last 3,000 characters of stdout + stderr (for assertion messages) */
  readonly output: string;
}

export interface SippRun {
  readonly done: Promise<SippResult>;
}

/**
 * Runs one SIPp call (`-m 1`) of a scenario. `-timeout_error` makes a global timeout an error; the
 * process is SIGKILLed 5 s after `timeoutMs` in case SIPp itself hangs.
 */
export function runSipp(args: string[], timeoutMs = 30_000): SippRun {
  return { done: runSippRebinding(args, timeoutMs) };
}

/** SIPp's message when its `-p` port was taken between `freePort` and its own bind. */
const BIND_CONFLICT = 'Unable to bind main socket, errno = 98';

/**
 * A port from `freePort` is only free when it is looked at: a gateway or client of a test file running
 * in parallel can be handed the same ephemeral port before SIPp binds it. SIPp then exits at once
 * without sending anything, and the run is repeated on a fresh port (at most 3 times).
 */
async function runSippRebinding(args: string[], timeoutMs: number): Promise<SippResult> {
  for (let attempt = 1; ; attempt++) {
    const r = await runSippOnce(args, timeoutMs);
    const p = args.indexOf('-p');
    if (r.code === 0 || !r.output.includes(BIND_CONFLICT) || p < 0 || attempt === 3) return r;
    args = [...args]; // the caller's array stays as it was
    args[p + 1] = String(await freePort());
  }
}

function runSippOnce(args: string[], timeoutMs: number): Promise<SippResult> {
  const child = spawn('sipp', [...args, '-m', '1', '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, '-timeout_error', '-nd'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5_000);
  return new Promise((resolve) => child.on('exit', (code) => {
    clearTimeout(killer);
    resolve({ code, output: output.slice(-3000) });
  }));
}

/**
 * True when a socket is bound to `port` (UDP) or listens on it (TCP), read from /proc/net (Linux):
 * looking does not bind the port, so it cannot race SIPp's own bind. Without /proc: undefined.
 */
function portBound(port: number, transport: 'udp' | 'tcp'): boolean | undefined {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let found: boolean | undefined;
  for (const file of transport === 'udp' ? ['udp', 'udp6'] : ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/net/${file}`, 'utf8');
    } catch {
      continue; // no /proc (not Linux): the caller falls back to a fixed wait
    }
    found ??= false;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is column 1 ("0100007F:13C4"), st column 3 (0A = TCP LISTEN; UDP 07 = bound)
      if (cols[1]?.endsWith(hex) && (transport === 'udp' || cols[3] === '0A')) return true;
    }
  }
  return found;
}

/**
 * Waits until a just-spawned SIPp UAS listens on `port` (a loaded machine may take a second to start
 * it; an INVITE sent before that would meet a closed port).
 */
export async function sippListening(port: number, transport: 'udp' | 'tcp', ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const bound = portBound(port, transport);
    if (bound === undefined) return void (await new Promise((r) => setTimeout(r, 1_000)));
    if (bound) return;
    if (Date.now() > end) throw new Error(`SIPp did not start listening on ${transport} ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


export interface RecordingGateway {
  readonly gw: Gateway;
  /** every engine input, in order (registrations, call events, subscribes, NOTIFY outcomes, …) */
  readonly seen: EngineInput[];
  /** the engine itself (subscription export, for "is the watcher subscribed yet") */
  readonly engine: Engine;
}

/** The full gateway (`startGateway`) on loopback with free ports, recording the engine's inputs. */
export async function startRecordingGateway(overrides: ConfigOverrides = {}): Promise<RecordingGateway> {
  const logger = process.env.GATEWAY_DEBUG
    ? createLogger({ level: 'debug', json: true })
    : createLogger({ level: 'warn', json: true, stream: new PassThrough().resume() as unknown as NodeJS.WritableStream });
  const gw = await startGateway({
    dialplanDir: 'dialplans', dbFile: ':memory:', bindHost: '127.0.0.1', sipPort: 0, sipTlsPort: null, wsPort: null,
    sccpPort: null, axlPort: null, httpPort: null, logLevel: 'warn', ...overrides,
  }, logger);
  if (gw === undefined) throw new Error('gateway did not start');
  const seen: EngineInput[] = [];
  const driver = gw.context.engine;
  const submit = driver.submit.bind(driver);
  driver.submit = (input) => {
    seen.push(input);
    return submit(input);
  };
  return { gw, seen, engine: driver.engine as unknown as Engine };
}

/** `device:direction:state[/event]` of every CallEvent seen for one device's appearances. */
export function dialogStates(seen: readonly EngineInput[], device: string): string[] {
  return seen.flatMap((i) => (i.type === 'call-event' && i.appearance.device === device ? [`${i.dialog.direction}:${i.dialog.state}${i.dialog.terminationEvent ? `/${i.dialog.terminationEvent}` : ''}`] : []));
}

/**
 * Copies the sample dialplan into a temp dir and applies text edits to its files (`file → edit`),
 * e.g. a lower `subscribeMinExpires` in service.yaml. Returns the dir.
 */
export function copyDialplan(edits: Record<string, (text: string) => string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'blfgw-dialplan-'));
  cpSync('dialplans', dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) editDialplanFile(dir, file, edit);
  return dir;
}

/** Rewrites one file of a dialplan dir (the DialplanWatcher picks it up while the gateway runs). */
export function editDialplanFile(dir: string, file: string, edit: (text: string) => string): void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`edit of ${file} changed nothing`);
  writeFileSync(path, after);
}

/** SIPp's `-t` value for a transport name. */
export function sippTransport(t: 'udp' | 'tcp'): 'u1' | 't1' {
  return t === 'udp' ? 'u1' : 't1';
}
