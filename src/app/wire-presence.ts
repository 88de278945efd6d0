/**
 * Wires the SIP presence adapter into one gateway: SUBSCRIBE and PUBLISH routing on the SIP
 * endpoint, the `RespondSubscribe` / `SendNotify` effect handlers on the engine, the watcher
 * identifier (digest / directory / trunk access list), and batched persistence of subscriptions
 * through the runtime store (restored here at start, flushed every second and at close).
 */
import {
  formatFlow, isParseError, parseMessage, resolveTarget, type ClientTransactionDelegate, type Flow, type SipResponse,
} from '../sip/index.js';
import type { Engine, SubscriptionRecord } from '../core/index.js';
import {
  DialogPublisher, DirectoryWatcherIdentifier, PresenceNotifier, SipSubscription, SubscriptionPersistence,
  type NotifierSip, type RequestResult, type SerializedRequest,
} from '../adapters/sip-presence/index.js';
import { trunkForSource } from '../adapters/trunk/index.js';
import type { Closable, GatewayContext } from './gateway-context.js';

export interface WirePresenceOptions {
  /** how often dirty subscriptions are written (ms); null = no persistence (bench) */
  readonly persistIntervalMs?: number | null;
}

export interface PresenceWiring extends Closable {
  readonly notifier: PresenceNotifier;
  readonly publisher: DialogPublisher;
  /** write dirty subscriptions now (tests; the timer does it every second) */
  flush(): void;
}

/**
 * One NOTIFY's client-transaction delegate: reports the first final result once. A class, so a
 * fan-out to thousands of watchers creates no closures per NOTIFY.
 */
class NotifyResultDelegate implements ClientTransactionDelegate {
  private done = false;
  constructor(private readonly onFinal: (r: RequestResult) => void) {}

  onResponse(res: SipResponse): void {
    if (res.status >= 200) this.finish({ status: res.status });
  }

  onTimeout(): void {
    this.finish({ status: 0, error: 'timeout' });
  }

  onTransportError(): void {
    this.finish({ status: 0, error: 'transport' });
  }

  private finish(r: RequestResult): void {
    if (this.done) return;
    this.done = true;
    this.onFinal(r);
  }
}

function createNotifierSip(ctx: GatewayContext): NotifierSip {
  const stack = ctx.sip.stack;
  const log = ctx.logger.child({ component: 'presence' });
  return {
    contactFor: (flow: Flow) => ctx.sip.contactFor(flow),
    sendSerialized(flow: Flow, request: SerializedRequest): void {
      if (flow.transport === 'udp') {
        // the fan-out path: a table row (pending-non-invite.ts) that sets our Via and builds the text
        // for each (re)transmission, UTF-8 encoded only inside the send batch (udp-send-queue.ts)
        stack.sendPrepared('NOTIFY', request, flow);
        return;
      }
      request.via = stack.newVia(flow).via;
      const text = request.wire();
      const onFinal = (r: RequestResult) => request.onFinal(r);
      // streams (rare for phones): a full client transaction, which also reconnects a closed flow
      const req = parseMessage(text, { stream: false });
      if (isParseError(req) || req.kind !== 'request') {
        log.error('a NOTIFY we built does not parse', { flow: formatFlow(flow) });
        onFinal({ status: 0, error: 'transport' });
        return;
      }
      const delegate = new NotifyResultDelegate(onFinal);
      // RFC 3581 / RFC 5626: reuse the watcher's flow; a closed connection (e.g. after a restart)
      // falls back to the remote target (RFC 3261 §12.2.1.1).
      if (stack.transport.isFlowAlive(flow)) stack.sendRequest(req, { flow, delegate });
      else stack.sendRequest(req, { destination: resolveTarget(req), delegate });
    },
  };
}

export async function wirePresence(ctx: GatewayContext, opts: WirePresenceOptions = {}): Promise<PresenceWiring> {
  const log = ctx.logger.child({ component: 'presence' });
  const engine = ctx.engine.engine as unknown as Engine;
  const domain = () => ctx.directory.directory.params.domain;
  const localHosts = new Set<string>([ctx.config.advertisedHost, ctx.config.bindHost, '127.0.0.1', 'localhost',
    domain().toLowerCase(), ...ctx.sip.listeners.map((l) => l.host)]);
  const submit = (input: Parameters<typeof ctx.engine.submit>[0]) => ctx.engine.submit(input);
  const watchers = new DirectoryWatcherIdentifier({
    directory: () => ctx.directory.directory, digest: ctx.digest, requireDigest: ctx.config.requireDigest,
    trunkForSource: (ip) => trunkForSource(ctx.directory.directory, ip)?.name,
  });

  // the core holds each SIP dialog as its subscription's handle (presence-notifier.ts Rule 6)
  const dialogOf = (id: string): SipSubscription | undefined => {
    const handle = engine.handleOf(id);
    return handle instanceof SipSubscription && !handle.ended ? handle : undefined;
  };
  let persistence: SubscriptionPersistence | undefined = undefined;
  const notifier = new PresenceNotifier({
    sip: createNotifierSip(ctx), submit, watchers, logger: log, localHosts, dialogOf,
    onDialogChanged: (id, dialog) => persistence?.markDirty(id, dialog),
  });
  const persist = opts.persistIntervalMs !== null;
  persistence = new SubscriptionPersistence({
    store: ctx.runtimeStore,
    dialogOf,
    // only the dirty ones: exporting every subscription each second was O(all) per flush
    coreRecordsOf: (ids) => {
      const out = new Map<string, unknown>();
      for (const id of ids) {
        const r = engine.exportSubscription(id);
        if (r !== undefined) out.set(id, r);
      }
      return out;
    },
    intervalMs: opts.persistIntervalMs ?? 1000,
    onError: (err) => log.error('saving subscriptions failed', { err: String(err) }),
  });
  if (persist) restore(ctx, notifier, persistence, engine, log);
  else persistence = undefined;

  const publisher = new DialogPublisher({
    submit, watchers, localHosts, directory: () => ctx.directory.directory,
    minExpires: ctx.directory.directory.params.subscribeMinExpires,
    maxExpires: ctx.directory.directory.params.publishExpires,
    defaultExpires: ctx.directory.directory.params.publishExpires,
  });

  ctx.engine.on('respond-subscribe', (e) => notifier.onRespondSubscribe(e));
  ctx.engine.on('send-notify', (e) => notifier.onSendNotify(e));
  ctx.sip.onRequest('SUBSCRIBE', (tx) => notifier.handleSubscribe(tx));
  ctx.sip.onRequest('PUBLISH', (tx) => publisher.handlePublish(tx));
  persistence?.start();

  return {
    notifier,
    publisher,
    flush: () => persistence?.flush(),
    async close() {
      publisher.close();
      persistence?.close();
    },
  };
}

/**
 * Re-creates the stored subscriptions: the core's records (version, expiry) and our dialogs. Those
 * the core drops (expired meanwhile) are deleted from the store at the next flush.
 */
function restore(
  ctx: GatewayContext, notifier: PresenceNotifier, persistence: SubscriptionPersistence,
  engine: Engine, log: ReturnType<GatewayContext['logger']['child']>,
): void {
  const rows = persistence.load((f) => notifier.flows.acquire(f));
  if (rows.length === 0) return;
  const dialogs = new Map(rows.map((r) => [r.dialog.id, r.dialog]));
  const effects = engine.restoreSubscriptions(rows.map((r) => r.core as SubscriptionRecord), Date.now(), dialogs);
  let restored = 0;
  for (const row of rows) {
    persistence.markDirty(row.dialog.id);
    if (engine.handleOf(row.dialog.id) === row.dialog) {
      notifier.restore(row.dialog);
      restored++;
    } else notifier.flows.release(row.dialog.flow);
  }
  // route-subscribe effects re-open the upstream subscriptions out the trunks (the relay in
  // wire-trunks also seeds itself from the engine, whichever module is wired first)
  ctx.engine.deliver(effects);
  const routed = effects.filter((e) => e.type === 'route-subscribe').length;
  // arm the engine's timer for the restored expiries
  ctx.engine.submit({ type: 'tick' });
  log.info('subscriptions restored', { stored: rows.length, restored, routed });
}
