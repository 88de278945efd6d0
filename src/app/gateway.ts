/**
 * The composition root: the only place that wires things. Builds the shared pieces (logger, store,
 * dialplan, effective directory, engine, SIP endpoint), hands them to each `wire*` module, and returns
 * a handle whose `close()` shuts everything down in reverse order.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createEngine, DEFAULT_SERVICE_SETTINGS, type Effect, type ServiceSettings } from '../core/index.js';
import { DialplanWatcher, formatDialplanError, loadDialplan } from '../adapters/dialplan-files/index.js';
import {
  createSqliteDirectoryStore,
  openSqliteDatabase,
  SqliteRuntimeStore,
} from '../adapters/sqlite-store/index.js';
import { startAxlServer } from '../adapters/axl/index.js';
import { DigestServer, SipStack } from '../sip/index.js';
import { resolveConfig, validateConfig, type ConfigOverrides, type GatewayConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { DirectoryHolder } from './directory-holder.js';
import { EngineDriver } from './engine-driver.js';
import { SipEndpoint } from './sip-endpoint.js';
import { loadTlsCredentials } from './tls-credentials.js';
import type { Closable, GatewayContext } from './gateway-context.js';
import { wirePresence } from './wire-presence.js';
import { wireLineSide } from './wire-line-side.js';
import { wireTrunks } from './wire-trunks.js';
import { wireSccp } from './wire-sccp.js';
import { IdleMemoryTrimmer } from './idle-memory-trim.js';
import { IdleYoungClean } from './idle-young-gc.js';

export interface Gateway {
  readonly context: GatewayContext;
  readonly logger: Logger;
  /** bound ports by service, e.g. { sip: 5060, tls: 5061, ws: 5066, sccp: 2000, axl: 8443 } */
  readonly ports: Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** Dialplan `service.ports` as config overrides (CLI flags are layered on top of these). */
function settingsToConfig(s: ServiceSettings): ConfigOverrides {
  return {
    sipPort: s.sipPort,
    sipTlsPort: s.sipTransports.includes('tls') ? s.sipTlsPort : null,
    wsPort: s.sipTransports.includes('ws') ? s.wsPort : null,
    sccpPort: s.sccpPort,
    axlPort: s.axlPort,
    httpPort: s.httpPort,
    tlsCertFile: s.tlsCertFile,
    tlsKeyFile: s.tlsKeyFile,
  };
}

function openStores(config: GatewayConfig) {
  if (config.dbFile !== ':memory:') mkdirSync(dirname(config.dbFile), { recursive: true });
  const db = openSqliteDatabase(config.dbFile);
  return { db, store: createSqliteDirectoryStore(db), runtimeStore: new SqliteRuntimeStore(db) };
}

/**
 * Starts a gateway. Returns undefined (after logging why) when the configuration or the dialplan is
 * invalid; throws only on our own bugs or when a port cannot be bound.
 */
export async function startGateway(overrides: ConfigOverrides = {}, logger?: Logger): Promise<Gateway | undefined> {
  const dialplanDir = overrides.dialplanDir ?? 'dialplans';
  const early = logger ?? createLogger({ level: overrides.logLevel ?? 'info' });
  const loaded = await loadDialplan(dialplanDir);
  if (!loaded.ok) {
    for (const e of loaded.errors) early.error(formatDialplanError(e));
    early.error('dialplan is invalid; not starting', { dialplan: dialplanDir, errors: loaded.errors.length });
    return undefined;
  }
  const settings = loaded.settings ?? DEFAULT_SERVICE_SETTINGS;
  const config = resolveConfig(settingsToConfig(settings), overrides);
  const problems = validateConfig(config);
  if (problems.length > 0) {
    for (const p of problems) early.error(`config: ${p}`);
    return undefined;
  }
  const log = logger ?? createLogger({ level: config.logLevel });
  const { db, store, runtimeStore } = openStores(config);
  const directory = new DirectoryHolder(loaded.parts, () => store.loadParts(), log, loaded.locate);
  const engine = new EngineDriver<Effect>(createEngine(directory.directory), log.child({ component: 'engine' }));
  directory.onReplaced((d) => engine.submit({ type: 'directory-replaced', directory: d }));

  const dataDir = config.dbFile === ':memory:' ? 'var' : dirname(config.dbFile);
  const needsTls = config.sipTlsPort !== null || config.axlPort !== null;
  const tls = needsTls
    ? loadTlsCredentials(config.tlsCertFile, config.tlsKeyFile, dataDir, config.advertisedHost, log)
    : undefined;
  const sipLog = log.child({ component: 'sip' });
  const stack = new SipStack({
    advertisedHost: config.advertisedHost,
    logger: sipLog,
    timers: { T1: config.t1Ms, T2: config.t2Ms, T4: config.t4Ms },
  });
  const sip = new SipEndpoint(stack, sipLog, config.advertisedHost);
  await sip.listen({ host: config.bindHost, udpTcpPort: config.sipPort, tlsPort: config.sipTlsPort, wsPort: config.wsPort, tls });

  // MD5 first: most desk phones (and SIPp) answer only the first challenge and know only MD5; clients
  // that prefer SHA-256 still find it (RFC 8760 §2.4 lets a UAC pick among several challenges).
  const digest = new DigestServer({ realm: directory.directory.params.domain, algorithms: ['MD5', 'SHA-256'], now: Date.now });
  const context: GatewayContext = { config, settings, logger: log, directory, engine, store, runtimeStore, sip, digest };
  const closables: Closable[] = [];
  let axlPort: number | undefined;
  const lineSide = await wireLineSide(context);
  closables.push(lineSide);
  closables.push(await wirePresence(context));
  closables.push(await wireTrunks(context, lineSide));
  const sccp = await wireSccp(context, lineSide);
  closables.push(sccp);
  if (config.axlPort !== null && tls) {
    const axlLog = log.child({ component: 'axl' });
    const axl = await startAxlServer({
      store,
      getDirectory: () => directory.directory,
      onChanged: () => void directory.storeChanged(),
      users: config.axlUsers,
      port: config.axlPort,
      host: config.bindHost,
      tls: { cert: tls.cert, key: tls.key },
      log: (level, message, meta) => axlLog[level](message, meta),
    });
    closables.push(axl);
    axlPort = axl.port;
  }

  const watcher = new DialplanWatcher(dialplanDir, {
    onReload: (result) => {
      if (!result.ok) {
        log.error('dialplan edit rejected; the last good dialplan stays live', {
          errors: result.errors.map(formatDialplanError),
        });
        return;
      }
      directory.replaceFileParts(result.parts, result.locate);
    },
    onWatchError: (err) => log.error('dialplan watcher failed; hot reload is off', { error: String(err) }),
  });
  await watcher.start().catch((err: unknown) => log.error('dialplan watcher did not start', { error: String(err) }));

  const ports: Record<string, number> = {};
  for (const l of sip.listeners) ports[l.transport === 'udp' ? 'sip' : l.transport] = l.port;
  if (axlPort !== undefined) ports.axl = axlPort;
  if (sccp.port !== undefined) ports.sccp = sccp.port;
  const memLog = log.child({ component: 'memory' });
  const trimmer = new IdleMemoryTrimmer({ log: (message, meta) => memLog.info(message, meta) });
  const youngClean = new IdleYoungClean({ log: (message, meta) => memLog.info(message, meta) });
  if (config.idleMemoryTrim) {
    trimmer.start();
    youngClean.start();
  }
  log.info('blf-gateway started', { dialplan: dialplanDir, db: config.dbFile, ports });

  return {
    context,
    logger: log,
    ports,
    async close() {
      trimmer.stop();
      youngClean.stop();
      watcher.stop();
      for (const c of closables.reverse()) await c.close();
      engine.close();
      await sip.close();
      db.close();
      log.info('blf-gateway stopped');
    },
  };
}
