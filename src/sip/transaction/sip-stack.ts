/**
 * `SipStack`: the transaction layer façade (RFC 3261 §17) over a `SipTransportLayer`.
 * Routes received requests to server transactions (new ones go to `delegate.onRequest`),
 * responses to client transactions, handles CANCEL matching (§9.2) and stray ACKs/responses.
 *
 * Rule 1: the stack never throws on peer input; a TU exception is caught and logged, and a
 *         request the TU left unanswered because it threw gets a 500.
 * Rule 2: clock and timers are injected (`clock`, `timers`); nothing global.
 * Rule 3 (RFC 3263 §4.3): a request to a resolved name carries the rest of the resolved list;
 *         its transaction fails over along it (`rebranch` re-keys it). A destination given as an
 *         IP literal, or a flow, has no list and so no failover.
 * Rule 4 (RFC 3263 §4): a CANCEL goes where the INVITE it cancels (same branch) went.
 */
import {
  createResponse, generateBranch, serializeMessage, getTopVia, parseUri, parseNameAddr, unbracketHost, formatVia,
  BRANCH_MAGIC, tagOf, type SipRequest, type SipResponse, type SipMessage,
} from '../message/index.js';
import {
  SipTransportLayer, SipResolver, SILENT_LOGGER, createNodeDnsPort, defaultPort, transportFromToken, viaTransportToken, responseTarget,
  type Destination, type Flow, type HostPort, type ListenSpec, type SipLogger, type SipTarget, type TransportLayerOptions, type TransportProtocol, type WireData,
} from '../transport/index.js';
import { RealClock, type Clock } from './clock.js';
import { ClientTransaction, type ClientTransactionDelegate, type ClientTransactionHost } from './client-transaction.js';
import { ServerTransaction } from './server-transaction.js';
import { CompletedNonInviteTable } from './completed-non-invite.js';
import { PendingNonInviteTable, type PreparedRequest } from './pending-non-invite.js';
import { responseRecipe } from './response-recipe.js';
import { DEFAULT_TIMERS, type TimerConfig } from './transaction-host.js';
import { serverKey, clientKey, clientKeyParts } from './transaction-keys.js';

export interface SipStackDelegate {
  /** a new request (not ACK, not a retransmission); answer with `tx.respond()` / `tx.reply()` */
  onRequest?(tx: ServerTransaction): void;
  /** an ACK that matched no INVITE server transaction (the ACK for a 2xx, RFC 3261 §13.3.1.4) */
  onAck?(ack: SipRequest, flow: Flow): void;
  /** a response that matched no client transaction (e.g. 2xx retransmission after Timer M) */
  onStray?(response: SipResponse, flow: Flow): void;
}

export interface SipStackOptions extends TransportLayerOptions {
  clock?: Clock;
  timers?: Partial<TimerConfig>;
  /** an existing transport layer (else one is created) */
  transport?: SipTransportLayer;
  /** host written in Via/Contact when the listen address is a wildcard (0.0.0.0 / ::) */
  advertisedHost?: string;
  logger?: SipLogger;
  /** RFC 3263 resolver for destinations given as names (default: node:dns) */
  resolver?: SipResolver;
}

export interface SendRequestOptions {
  /** send on this flow (in-dialog requests, responses' flows) */
  flow?: Flow;
  /** or to this destination (else: first Route, else Request-URI; transport param, default udp) */
  destination?: Destination;
  delegate?: ClientTransactionDelegate;
}

export class SipStack implements ClientTransactionHost {
  readonly transport: SipTransportLayer;
  readonly clock: Clock;
  readonly timers: TimerConfig;
  readonly logger: SipLogger;
  delegate: SipStackDelegate = {};
  private readonly servers = new Map<string, ServerTransaction>();
  /** non-INVITE server transactions in Completed over UDP, as table rows (completed-non-invite.ts) */
  private readonly completed: CompletedNonInviteTable;
  /** non-INVITE client transactions in Completed over UDP, as keys that absorb finals until Timer K */
  private readonly completedClients: CompletedNonInviteTable;
  private readonly clients = new Map<string, ClientTransaction>();
  /** non-INVITE client transactions over UDP sent as prepared bytes (the NOTIFY fan-out) */
  private readonly pending: PendingNonInviteTable;
  /** `viaHead` per listen point */
  private readonly viaHeads = new WeakMap<HostPort, { readonly transport: Destination['transport']; readonly head: string }>();
  /** INVITE server transactions by Call-ID + CSeq + From-tag, to match the 2xx ACK (new branch) */
  private readonly invites = new Map<string, ServerTransaction>();
  private readonly advertisedHost?: string;
  readonly resolver: SipResolver;

  constructor(opts: SipStackOptions = {}) {
    this.logger = opts.logger ?? SILENT_LOGGER;
    this.transport = opts.transport ?? new SipTransportLayer({ limits: opts.limits, logger: this.logger });
    this.clock = opts.clock ?? new RealClock();
    this.timers = { ...DEFAULT_TIMERS, ...opts.timers };
    this.advertisedHost = opts.advertisedHost;
    this.resolver = opts.resolver ?? new SipResolver(createNodeDnsPort(), { supported: () => this.supportedTransports() });
    this.transport.delegate = { onMessage: (m, f) => this.onMessage(m, f) };
    const transport = this.transport;
    this.completed = new CompletedNonInviteTable({
      clock: this.clock, logger: this.logger, sendBytes: (bytes, flow) => transport.sendBytes(bytes, flow),
    }, 64 * this.timers.T1);
    this.completedClients = new CompletedNonInviteTable({
      clock: this.clock, logger: this.logger, sendBytes: () => Promise.reject(new Error('client rows never send')),
    }, this.timers.T4);
    this.pending = new PendingNonInviteTable({
      clock: this.clock, logger: this.logger, timers: this.timers,
      viaFor: (flow, branch) => this.viaValue(flow.transport, flow.remote.host, branch),
      sendBytes: (bytes, flow, onError) => transport.sendBytesQuietly(bytes, flow, onError),
      completed: (key) => this.completedClients.add(key),
    });
  }

  listen(spec: ListenSpec): ReturnType<SipTransportLayer['listen']> {
    return this.transport.listen(spec);
  }

  /** Live transaction counts (tests and metrics). */
  get counts(): { server: number; client: number } {
    return {
      server: this.servers.size + this.completed.size,
      client: this.clients.size + this.pending.size + this.completedClients.size,
    };
  }

  /**
   * Start a client transaction. Adds a top Via (our sent-by, fresh branch, `rport`) when the request
   * has none, or a branch when its Via lacks one; adds Max-Forwards: 70 when missing.
   */
  sendRequest(request: SipRequest, opts: SendRequestOptions = {}): ClientTransaction {
    const target = this.cancelledInviteTarget(request) ?? opts.flow ?? opts.destination ?? resolveTarget(request);
    this.prepareVia(request, target.transport, 'remote' in target ? target.remote.host : target.host);
    if (!request.headers.has('max-forwards')) request.headers.append('Max-Forwards', '70');
    const via = getTopVia(request)!;
    const key = `${via.branch}|${request.method}`;
    const tx = new ClientTransaction(this, key, request, target, opts.delegate);
    this.clients.set(key, tx);
    if ('remote' in target || !SipResolver.needsDns(target)) tx.start();
    else this.resolveAndStart(tx, target, via.branch!);
    return tx;
  }

  /** RFC 3263: resolve a named destination, rewrite our Via for the chosen transport, then start. */
  private resolveAndStart(tx: ClientTransaction, dest: Destination, branch: string): void {
    const target: SipTarget = {
      host: dest.host,
      port: dest.portFromDefault ? undefined : dest.port,
      transport: dest.transportFromDefault ? undefined : dest.transport,
      secure: dest.secure,
    };
    this.resolver.resolve(target).then(
      (found) => {
        if (tx.state === 'terminated') return;
        const [first, ...rest] = found;
        if (first!.transport !== dest.transport) this.restampVia(tx.request, first!, branch);
        tx.start(first, rest);
      },
      (err: unknown) => tx.failBeforeStart(`cannot resolve ${dest.host}: ${String(err)}`),
    );
  }

  /** RFC 3263 §4: "the ACK … and CANCEL … MUST be sent to the same" server as the INVITE they belong to. */
  private cancelledInviteTarget(request: SipRequest): Flow | Destination | undefined {
    if (request.method !== 'CANCEL') return undefined;
    const branch = getTopVia(request)?.branch;
    return branch === undefined ? undefined : this.clients.get(`${branch}|INVITE`)?.destination;
  }

  /** ClientTransactionHost: a new branch for the next target (RFC 3263 §4.3), re-keyed in the table. */
  rebranch(tx: ClientTransaction, next: Destination, abandoned?: ClientTransaction): string {
    const branch = generateBranch();
    this.restampVia(tx.request, next, branch);
    const key = `${branch}|${tx.request.method}`;
    if (this.clients.get(tx.key) === tx) this.clients.delete(tx.key);
    if (abandoned) this.clients.set(abandoned.key, abandoned);
    this.clients.set(key, tx);
    return key;
  }

  /** Replace the top Via with ours for `dest` (transport and address family decide the sent-by). */
  private restampVia(req: SipRequest, dest: Destination, branch: string): void {
    req.headers.removeFirst('via');
    this.prepareVia(req, dest.transport, dest.host, branch);
  }

  /** Transports we listen on, in RFC 3263 preference order. */
  private supportedTransports(): TransportProtocol[] {
    const have = new Set(this.transport.listenPoints().map((l) => l.transport));
    return (['udp', 'tcp', 'tls', 'ws', 'wss'] as const).filter((t) => have.has(t));
  }

  /**
   * The top Via (with a fresh branch) that `sendRequest` would add for a request on `flow`: a TU
   * that serializes its own request for a stream starts it with this (`sendPrepared` sets its own).
   */
  newVia(flow: Flow): { readonly via: string; readonly branch: string } {
    const branch = generateBranch();
    return { via: this.viaValue(flow.transport, flow.remote.host, branch), branch };
  }

  /**
   * The fan-out path (pending-non-invite.ts): a non-INVITE request the TU serialized itself — wire
   * bytes starting with the top Via this sets in `request.via` before the first `wire()` — in a client
   * transaction over the UDP `flow`; returns its branch. Its `onFinal` runs exactly once: the final
   * response, a Timer F timeout or a transport error.
   */
  sendPrepared(method: string, request: PreparedRequest, flow: Flow): string {
    if (method === 'INVITE' || method === 'ACK' || flow.transport !== 'udp') {
      throw new Error(`sendPrepared carries non-INVITE requests over UDP only (got ${method} over ${flow.transport})`);
    }
    return this.pending.start(method, request, flow);
  }

  /** Send without a transaction (ACK for 2xx, stateless answers). Adds a Via like `sendRequest`. */
  sendStateless(msg: SipMessage, to?: Flow | Destination): Promise<Flow> {
    const target = to ?? (msg.kind === 'request' ? resolveTarget(msg) : undefined);
    if (target === undefined) return Promise.reject(new Error('no target for stateless response'));
    if (msg.kind === 'request') this.prepareVia(msg, target.transport, 'remote' in target ? target.remote.host : target.host);
    return this.transport.send(msg, target);
  }

  async close(): Promise<void> {
    for (const tx of this.servers.values()) tx.dispose();
    for (const tx of this.clients.values()) tx.dispose();
    this.servers.clear();
    this.completed.clear();
    this.clients.clear();
    this.completedClients.clear();
    this.pending.clear();
    await this.transport.close();
  }

  /* ---- TransactionHost ---- */

  send(msg: SipMessage, to: Flow | Destination): Promise<Flow> {
    return this.transport.send(msg, to);
  }

  /**
   * The response and its RFC 3261 §18.2.2 target go into the Completed table: as a recipe when it
   * copies its request's fields verbatim (response-recipe.ts), else as its wire text.
   */
  retainCompleted(key: string, finalResponse: SipResponse, flow: Flow, request?: SipRequest): void {
    const to: Flow = { transport: flow.transport, local: flow.local, remote: responseTarget(finalResponse, flow.remote) };
    const recipe = request === undefined ? null : responseRecipe(finalResponse, request);
    if (recipe !== null) this.completed.addRecipe(key, recipe, to);
    else this.completed.add(key, serializeMessage(finalResponse).toString('latin1'), to);
  }

  retainCompletedClient(key: string): void {
    this.completedClients.add(key);
  }

  forget(tx: { key: string; side: 'client' | 'server' }): void {
    const map = tx.side === 'client' ? this.clients : this.servers;
    if (map.get(tx.key) === tx) map.delete(tx.key);
    if (tx instanceof ServerTransaction && tx.isInvite) {
      const k = dialogKey(tx.request);
      if (this.invites.get(k) === tx) this.invites.delete(k);
    }
  }

  /* ---- receive path ---- */

  private onMessage(msg: SipMessage, flow: Flow): void {
    if (msg.kind === 'response') return this.onResponse(msg, flow);
    const key = serverKey(msg);
    if (key === null) return;
    if (msg.method === 'ACK') return this.onAckRequest(msg, key, flow);
    const existing = this.servers.get(key);
    if (existing) return existing.receiveRequest();
    if (this.completed.resend(key, msg)) return;
    if (msg.method === 'CANCEL') return this.onCancel(msg, key, flow);
    const tx = new ServerTransaction(this, key, msg, flow);
    this.servers.set(key, tx);
    if (tx.isInvite) this.invites.set(dialogKey(msg), tx);
    this.dispatch(tx);
  }

  private dispatch(tx: ServerTransaction): void {
    try {
      if (this.delegate.onRequest) this.delegate.onRequest(tx);
      else tx.reply(501, 'Not Implemented');
    } catch (err) {
      this.logger.error('TU threw in onRequest', { method: tx.request.method, err: String(err), stack: (err as Error)?.stack });
      if (tx.lastResponse === undefined || tx.lastResponse.status < 200) tx.reply(500, 'Server Internal Error');
    }
  }

  private onResponse(res: SipResponse, flow: Flow): void {
    const parts = clientKeyParts(res);
    const key = parts === null ? null : clientKey(parts.branch, parts.method);
    const tx = key === null ? undefined : this.clients.get(key);
    if (tx) return this.guard('client transaction', () => tx.receive(res));
    if (parts !== null && this.pending.receive(parts.branch, parts.method, res)) return;
    if (key !== null && this.completedClients.resend(key)) return; // §17.1.2.2: absorbed until Timer K
    this.guard('onStray', () => this.delegate.onStray?.(res, flow));
  }

  private onAckRequest(ack: SipRequest, key: string, flow: Flow): void {
    const tx = this.servers.get(key);
    if (tx && tx.state !== 'accepted') return this.guard('ack', () => tx.receiveAck(ack));
    // RFC 3261 §13.3.1.4: the ACK for a 2xx is its own transaction (new branch); it still stops the
    // UAS core's 2xx retransmissions, so match it to the INVITE by Call-ID, CSeq number and From tag.
    const invite = tx ?? this.invites.get(dialogKey(ack));
    if (invite?.state === 'accepted') this.guard('ack', () => invite.receiveAck(ack));
    this.guard('onAck', () => this.delegate.onAck?.(ack, flow));
  }

  /** RFC 3261 §9.2: CANCEL matches the INVITE server transaction with the same key (method INVITE). */
  private onCancel(cancel: SipRequest, key: string, flow: Flow): void {
    const inviteKey = serverKey(cancel, 'INVITE');
    const invite = inviteKey === null ? undefined : this.servers.get(inviteKey);
    const tx = new ServerTransaction(this, key, cancel, flow);
    this.servers.set(key, tx);
    if (invite === undefined || invite.state === 'terminated') {
      // "If the UAS did not find a matching transaction for the CANCEL … it SHOULD respond to the CANCEL with a 481"
      tx.reply(481, 'Call/Transaction Does Not Exist');
      return;
    }
    // "a UAS … responds to the CANCEL with a 200 (OK)" — and the TU answers the INVITE with 487
    tx.reply(200, 'OK', { toTag: true });
    invite.cancelled = true;
    if (invite.state === 'proceeding') this.guard('onCancel', () => invite.delegate.onCancel?.(cancel, invite));
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error(`TU threw in ${what}`, { err: String(err), stack: (err as Error)?.stack });
    }
  }

  private prepareVia(req: SipRequest, transport: Destination['transport'], towards: string, branch?: string): void {
    const top = getTopVia(req);
    if (top !== null) {
      if (top.branch?.startsWith(BRANCH_MAGIC)) return;
      top.branch = generateBranch();
      req.headers.removeFirst('via');
      req.headers.prepend('Via', formatVia(top));
      return;
    }
    req.headers.prepend('Via', this.viaValue(transport, towards, branch ?? generateBranch()));
  }

  /** Our top Via value for traffic of `transport` towards `towards`: our sent-by, `branch`, `rport`. */
  private viaValue(transport: Destination['transport'], towards: string, branch: string): string {
    const lp = this.transport.listenPointFor(transport, towards);
    const cached = lp === undefined ? undefined : this.viaHeads.get(lp);
    const head = cached !== undefined && cached.transport === transport ? cached.head : this.viaHead(transport, lp);
    return `${head}${branch};rport`;
  }

  /**
   * `SIP/2.0/<T> <sent-by>;branch=` for a listen point, kept per listen point: a fan-out builds
   * thousands of Vias, and each was five strings more (and kept until its NOTIFY was answered).
   */
  private viaHead(transport: Destination['transport'], lp: HostPort | undefined): string {
    let host = lp?.host ?? '127.0.0.1';
    if (host === '0.0.0.0' || host === '::') host = this.advertisedHost ?? (host === '::' ? '::1' : '127.0.0.1');
    const sentBy = `${host.includes(':') ? `[${host}]` : host}:${lp?.port ?? defaultPort(transport)}`;
    const head = `SIP/2.0/${viaTransportToken(transport)} ${sentBy};branch=`;
    if (lp !== undefined) this.viaHeads.set(lp, { transport, head });
    return head;
  }
}

function dialogKey(req: SipRequest): string {
  const cseq = req.headers.get('cseq') ?? '';
  return `${req.headers.get('call-id') ?? ''}|${parseInt(cseq, 10)}|${tagOf(req.headers.get('from')) ?? ''}`;
}

/**
 * Next hop for a request without explicit target: first Route (loose routing) else Request-URI.
 * A host name in it is resolved per RFC 3263 when the request is sent (`SipStack.sendRequest`).
 */
export function resolveTarget(req: SipRequest): Destination {
  const route = req.headers.first('route');
  const uriText = route !== undefined ? parseNameAddr(route)?.uri ?? req.uri : req.uri;
  const uri = parseUri(uriText);
  if (uri === null || uri.host === '') throw new Error(`cannot route to ${uriText}`);
  const tp = uri.params.get('transport');
  const explicit = tp ? transportFromToken(tp) : null;
  const secure = uri.scheme === 'sips';
  const transport = explicit ?? (secure ? 'tls' : 'udp');
  const dest: Destination = { transport, host: unbracketHost(uri.host), port: uri.port ?? defaultPort(transport) };
  // RFC 3263 §4: what the URI left open, DNS (NAPTR/SRV) may decide
  if (uri.port === undefined) dest.portFromDefault = true;
  if (explicit === null) dest.transportFromDefault = true;
  if (secure) dest.secure = true;
  return dest;
}

export { createResponse };
