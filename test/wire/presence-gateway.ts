/**
 * Test support: a gateway with only the presence wiring, built like `app/gateway.ts` builds one
 * (real dialplan loader, directory holder, engine driver, SIP stack, SQLite runtime store) on
 * 127.0.0.1 with a free port. Used by the presence wire, interop and restart tests.
 */
import { PassThrough } from 'node:stream';
import { createEngine, DEFAULT_SERVICE_SETTINGS, type Effect } from '../../src/core/index.js';
import { loadDialplan } from '../../src/adapters/dialplan-files/index.js';
import { createSqliteDirectoryStore, openSqliteDatabase, SqliteRuntimeStore } from '../../src/adapters/sqlite-store/index.js';
import { DigestServer, SipStack } from '../../src/sip/index.js';
import { resolveConfig, type ConfigOverrides } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import { DirectoryHolder } from '../../src/app/directory-holder.js';
import { EngineDriver } from '../../src/app/engine-driver.js';
import { SipEndpoint } from '../../src/app/sip-endpoint.js';
import type { GatewayContext } from '../../src/app/gateway-context.js';
import { wirePresence, type PresenceWiring, type WirePresenceOptions } from '../../src/app/wire-presence.js';

export interface PresenceGateway {
  readonly ctx: GatewayContext;
  readonly wiring: PresenceWiring;
  readonly port: number;
  close(): Promise<void>;
}

export async function startPresenceGateway(
  overrides: ConfigOverrides = {}, opts: WirePresenceOptions & { port?: number } = {},
): Promise<PresenceGateway> {
  const dialplanDir = overrides.dialplanDir ?? 'dialplans';
  const loaded = await loadDialplan(dialplanDir);
  if (!loaded.ok) throw new Error(`dialplan ${dialplanDir} is invalid: ${JSON.stringify(loaded.errors).slice(0, 500)}`);
  const config = resolveConfig({
    bindHost: '127.0.0.1', sipPort: opts.port ?? 0, sipTlsPort: null, wsPort: null, sccpPort: null, axlPort: null,
    httpPort: null, dbFile: ':memory:', logLevel: 'error', ...overrides,
  });
  const logger = process.env.PRESENCE_DEBUG
    ? createLogger({ level: 'debug', json: true })
    : createLogger({ level: config.logLevel, stream: new PassThrough().resume() as unknown as NodeJS.WritableStream, json: true });
  const db = openSqliteDatabase(config.dbFile);
  const store = createSqliteDirectoryStore(db);
  const runtimeStore = new SqliteRuntimeStore(db);
  const directory = new DirectoryHolder(loaded.parts, () => store.loadParts(), logger);
  const engine = new EngineDriver<Effect>(createEngine(directory.directory), logger);
  const stack = new SipStack({ logger, advertisedHost: config.advertisedHost, timers: { T1: config.t1Ms, T2: config.t2Ms, T4: config.t4Ms } });
  const sip = new SipEndpoint(stack, logger, config.advertisedHost);
  await sip.listen({ host: config.bindHost, udpTcpPort: config.sipPort, tlsPort: null, wsPort: null });
  const settings = loaded.settings ?? DEFAULT_SERVICE_SETTINGS;
  const digest = new DigestServer({ realm: directory.directory.params.domain, algorithms: ['MD5', 'SHA-256'], now: Date.now });
  const ctx: GatewayContext = { config, settings, logger, directory, engine, store, runtimeStore, sip, digest };
  const wiring = await wirePresence(ctx, opts);
  return {
    ctx,
    wiring,
    port: sip.portOf('udp')!,
    async close() {
      await wiring.close();
      engine.close();
      await sip.close();
      db.close();
    },
  };
}
