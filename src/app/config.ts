/**
 * The one typed configuration of the gateway. Every key has a default, a unit and one doc line.
 * Precedence: built-in defaults < the dialplan's `service.ports` settings < command-line flags.
 * Validated at startup (`validateConfig`); a bad value stops the process with a clear message.
 */
import type { LogLevel } from './logger.js';
import { LOG_LEVELS } from './logger.js';

export interface AxlAppUser {
  readonly username: string;
  readonly password: string;
}

export interface GatewayConfig {
  /** directory of dialplan YAML files; example: `dialplans` */
  readonly dialplanDir: string;
  /** SQLite directory store file; `:memory:` for none; example: `var/blfgw.db` */
  readonly dbFile: string;
  /** address to bind every listener to; example: `0.0.0.0`, `127.0.0.1`, `::` */
  readonly bindHost: string;
  /** host put in Via/Contact/Record-Route; default: bindHost, or 127.0.0.1 when bound to any */
  readonly advertisedHost: string;
  /** SIP UDP+TCP port (0 = pick a free one); example: 5060 */
  readonly sipPort: number;
  /** SIP over TLS port; null = TLS off; example: 5061 */
  readonly sipTlsPort: number | null;
  /** SIP over WebSocket port (RFC 7118); null = off; example: 5066 */
  readonly wsPort: number | null;
  /** SCCP (Skinny) TCP port; null = off; example: 2000 */
  readonly sccpPort: number | null;
  /** AXL SOAP (HTTPS) port; null = off; example: 8443 */
  readonly axlPort: number | null;
  /** HTTP port for health/metrics; null = off; example: 8080 */
  readonly httpPort: number | null;
  /** PEM certificate and key for TLS/WSS/AXL; null = self-signed, generated under var/ on first start */
  readonly tlsCertFile: string | null;
  readonly tlsKeyFile: string | null;
  /** RFC 3261 timers, milliseconds: T1 RTT estimate (500), T2 max retransmit interval (4000), T4 (5000) */
  readonly t1Ms: number;
  readonly t2Ms: number;
  readonly t4Ms: number;
  /** AXL application users (HTTP Basic); sample only: axladmin / secret */
  readonly axlUsers: readonly AxlAppUser[];
  /** require digest auth for REGISTER/INVITE/SUBSCRIBE from line devices */
  readonly requireDigest: boolean;
  /** log verbosity: error | warn | info | debug */
  readonly logLevel: LogLevel;
  /** compact the heap when idle after it grew (idle-memory-trim.ts) and empty the young generation
   *  when quiet (idle-young-gc.ts); off for profiling GC itself */
  readonly idleMemoryTrim: boolean;
}

export const DEFAULT_CONFIG: GatewayConfig = {
  dialplanDir: 'dialplans',
  dbFile: 'var/blfgw.db',
  bindHost: '0.0.0.0',
  advertisedHost: '',
  sipPort: 5060,
  sipTlsPort: 5061,
  wsPort: 5066,
  sccpPort: 2000,
  axlPort: 8443,
  httpPort: 8080,
  tlsCertFile: null,
  tlsKeyFile: null,
  t1Ms: 500,
  t2Ms: 4000,
  t4Ms: 5000,
  axlUsers: [{ username: 'axladmin', password: 'secret' }],
  requireDigest: true,
  logLevel: 'info',
  idleMemoryTrim: true,
};

export type ConfigOverrides = { -readonly [K in keyof GatewayConfig]?: GatewayConfig[K] };

/** Layers overrides (later wins) over the defaults and fills derived keys. */
export function resolveConfig(...layers: ConfigOverrides[]): GatewayConfig {
  const merged: ConfigOverrides = { ...DEFAULT_CONFIG };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
  }
  const anyHost = merged.bindHost === '0.0.0.0' || merged.bindHost === '::';
  if (!merged.advertisedHost) merged.advertisedHost = anyHost ? '127.0.0.1' : merged.bindHost;
  return merged as GatewayConfig;
}

function checkPort(name: string, value: number | null, errors: string[]): void {
  if (value === null) return;
  if (!Number.isInteger(value) || value < 0 || value > 65535) errors.push(`${name}: ${value} is not a port (0-65535)`);
}

/** Returns every problem with the config, or an empty list. */
export function validateConfig(config: GatewayConfig): string[] {
  const errors: string[] = [];
  checkPort('sipPort', config.sipPort, errors);
  checkPort('sipTlsPort', config.sipTlsPort, errors);
  checkPort('wsPort', config.wsPort, errors);
  checkPort('sccpPort', config.sccpPort, errors);
  checkPort('axlPort', config.axlPort, errors);
  checkPort('httpPort', config.httpPort, errors);
  if (!LOG_LEVELS.includes(config.logLevel)) errors.push(`logLevel: ${config.logLevel} is not one of ${LOG_LEVELS.join(', ')}`);
  for (const [name, ms] of [['t1Ms', config.t1Ms], ['t2Ms', config.t2Ms], ['t4Ms', config.t4Ms]] as const) {
    if (!(ms > 0)) errors.push(`${name}: must be a positive number of milliseconds`);
  }
  if (config.t2Ms < config.t1Ms) errors.push('t2Ms: must not be below t1Ms');
  if ((config.tlsCertFile === null) !== (config.tlsKeyFile === null)) errors.push('tlsCertFile and tlsKeyFile go together');
  return errors;
}
