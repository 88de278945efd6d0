/**
 * What the composition root hands each `wire*` module: the shared, long-lived pieces of one gateway
 * process. Adapters never see each other; they meet only through the engine and this context.
 */
import type { DirectoryStore, Effect, ServiceSettings } from '../core/index.js';
import type { DigestServer } from '../sip/index.js';
import type { SqliteRuntimeStore } from '../adapters/sqlite-store/index.js';
import type { GatewayConfig } from './config.js';
import type { DirectoryHolder } from './directory-holder.js';
import type { EngineDriver } from './engine-driver.js';
import type { Logger } from './logger.js';
import type { SipEndpoint } from './sip-endpoint.js';

export interface GatewayContext {
  readonly config: GatewayConfig;
  readonly settings: ServiceSettings;
  readonly logger: Logger;
  /** the effective directory (files + store), swapped atomically */
  readonly directory: DirectoryHolder;
  /** the pure core, driven on the real clock; register effect handlers with `engine.on(type, fn)` */
  readonly engine: EngineDriver<Effect>;
  /** directory store (AXL writes go here; call `directory.storeChanged()` after a write) */
  readonly store: DirectoryStore;
  /** subscriptions and publications that must survive a restart */
  readonly runtimeStore: SqliteRuntimeStore;
  /** the SIP side: transports + transactions, with per-method request routing and digest auth */
  readonly sip: SipEndpoint;
  /**
   * One digest verifier for every line-side request (REGISTER, INVITE, SUBSCRIBE, PUBLISH), so a
   * nonce issued on one method is good on the others and nonce counts are checked in one place.
   */
  readonly digest: DigestServer;
}

/** Something a wire module started and must stop at shutdown. */
export interface Closable {
  close(): Promise<void>;
}
