/**
 * `blfgw start`: runs the gateway until SIGTERM/SIGINT, then shuts down cleanly (final NOTIFYs and
 * PUBLISH removals go out, subscriptions are persisted, listeners close).
 */
import { parseArgs } from 'node:util';
import { startGateway } from '../gateway.js';
import { tuneJitForServer } from '../jit-tiering.js';
import type { ConfigOverrides } from '../config.js';
import type { LogLevel } from '../logger.js';

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag}: '${value}' is not a port (0-65535)`);
  return n;
}

/** Turns CLI flags into config overrides (flags win over the dialplan's service settings). */
export function parseStartFlags(args: string[]): ConfigOverrides {
  const { values } = parseArgs({
    args,
    options: {
      dialplan: { type: 'string' },
      db: { type: 'string' },
      bind: { type: 'string' },
      'sip-port': { type: 'string' },
      'sip-tls-port': { type: 'string' },
      'sccp-port': { type: 'string' },
      'axl-port': { type: 'string' },
      'ws-port': { type: 'string' },
      'http-port': { type: 'string' },
      'log-level': { type: 'string' },
      'no-digest': { type: 'boolean' },
      'no-idle-trim': { type: 'boolean' },
    },
  });
  return {
    dialplanDir: values.dialplan,
    dbFile: values.db,
    bindHost: values.bind,
    sipPort: port(values['sip-port'], '--sip-port'),
    sipTlsPort: port(values['sip-tls-port'], '--sip-tls-port'),
    sccpPort: port(values['sccp-port'], '--sccp-port'),
    axlPort: port(values['axl-port'], '--axl-port'),
    wsPort: port(values['ws-port'], '--ws-port'),
    httpPort: port(values['http-port'], '--http-port'),
    logLevel: values['log-level'] as LogLevel | undefined,
    requireDigest: values['no-digest'] ? false : undefined,
    idleMemoryTrim: values['no-idle-trim'] ? false : undefined,
  };
}

export async function runStart(args: string[]): Promise<number> {
  let flags: ConfigOverrides;
  try {
    flags = parseStartFlags(args);
  } catch (err) {
    console.error(`blfgw start: ${(err as Error).message}`);
    return 2;
  }
  const jitFlags = tuneJitForServer();
  const gateway = await startGateway(flags);
  if (!gateway) return 1;
  if (jitFlags.length > 0) gateway.logger.debug('V8 tiering for a server', { flags: jitFlags });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      gateway.logger.info('shutting down', { signal });
      gateway.close().then(resolve, (err) => {
        gateway.logger.error('shutdown failed', { error: String(err) });
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
