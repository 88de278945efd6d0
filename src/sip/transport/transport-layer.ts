/**
 * The transport layer (RFC 3261 §18): owns the listening transports, parses what they receive,
 * answers malformed requests itself, stamps received/rport (RFC 3581) and hands good messages
 * to its delegate (the transaction layer) together with the `Flow` they came on.
 *
 * Rule 1: peer input never throws out of here: parse errors become 4xx answers (when the request
 *         carries a usable Via) or a log line.
 * Rule 2: sending picks the listening transport by protocol and address family; stream transports
 *         reuse the flow's connection, else the connection to that remote, else open one.
 */
import {
  parseMessage, isParseError, serializeMessage, createResponse, type SipMessage,
} from '../message/index.js';
import { formatFlow, type Destination, type Flow, type HostPort, type TransportProtocol } from './flow.js';
import {
  DEFAULT_LIMITS, SILENT_LOGGER, createTransportStats, type SipLogger, type TransportLimits, type TransportStats,
} from './transport-options.js';
import type { SipTransport, TransportSink, WireData } from './transport-sink.js';
import { UdpTransport } from './udp-transport.js';
import { StreamTransport, type TlsOptions } from './stream-transport.js';
import { WsTransport } from './ws-transport.js';
import { stampReceived, responseTarget, reconnectTarget, canAnswer } from './via-routing.js';

export interface TransportDelegate {
  onMessage?(msg: SipMessage, flow: Flow): void;
  onFlowClosed?(flow: Flow): void;
}

export interface ListenSpec {
  transport: TransportProtocol;
  /** address to bind, e.g. '127.0.0.1' or '::1' */
  host: string;
  /** 0 = pick a free port */
  port?: number;
  tls?: TlsOptions;
}

export interface TransportLayerOptions {
  limits?: Partial<TransportLimits>;
  logger?: SipLogger;
  /** trust settings for outbound wss connections made without a wss listener (default: accept any cert) */
  clientTls?: Pick<TlsOptions, 'ca' | 'rejectUnauthorized'>;
}

export class SipTransportLayer implements TransportSink {
  readonly limits: TransportLimits;
  readonly logger: SipLogger;
  readonly stats: TransportStats = createTransportStats();
  delegate: TransportDelegate = {};
  private readonly transports: SipTransport[] = [];
  private connectionSeq = 0;

  private readonly clientTls?: Pick<TlsOptions, 'ca' | 'rejectUnauthorized'>;

  constructor(opts: TransportLayerOptions = {}) {
    this.clientTls = opts.clientTls;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.logger = opts.logger ?? SILENT_LOGGER;
  }

  /** Start listening; resolves with the bound address (real port when 0 was asked). */
  async listen(spec: ListenSpec): Promise<{ transport: TransportProtocol; host: string; port: number }> {
    const port = spec.port ?? 0;
    let t: SipTransport;
    if (spec.transport === 'udp') t = await UdpTransport.bind(spec.host, port, this);
    else if (spec.transport === 'tcp' || spec.transport === 'tls') t = await StreamTransport.listen(spec.transport, spec.host, port, this, spec.tls);
    else t = await WsTransport.listen(spec.transport, spec.host, port, this, spec.tls);
    this.transports.push(t);
    return { transport: t.protocol, host: t.local.host, port: t.local.port };
  }

  /** Bound listen points, in listen order. */
  listenPoints(): Array<{ transport: TransportProtocol; host: string; port: number }> {
    return this.transports.filter((t) => t.local.port !== 0).map((t) => ({ transport: t.protocol, host: t.local.host, port: t.local.port }));
  }

  /** The listen point that would carry traffic of this protocol to `host` (for Via/Contact). */
  listenPointFor(transport: TransportProtocol, host?: string): HostPort | undefined {
    const local = this.pick(transport, host)?.local;
    return local?.port === 0 ? undefined : local; // an outbound-only ws transport listens nowhere
  }

  /**
   * Send a message on a flow or to a destination. Responses on UDP flows go to the Via-derived
   * address (RFC 3261 §18.2.2 / RFC 3581); everything else goes to the flow's remote.
   */
  async send(msg: SipMessage, to: Flow | Destination): Promise<Flow> {
    let flow = 'remote' in to ? to : undefined;
    const protocol = flow ? flow.transport : (to as Destination).transport;
    let remote: HostPort = flow ? flow.remote : { host: (to as Destination).host, port: (to as Destination).port };
    if (flow && protocol === 'udp' && msg.kind === 'response') remote = responseTarget(msg, flow.remote);
    if (flow && msg.kind === 'response' && !this.isFlowAlive(flow)) {
      // RFC 7118 §5: a SIP WebSocket client cannot accept connections, so a response whose
      // connection died is lost. RFC 3261 §18.2.2: for TCP/TLS "the server SHOULD open a connection
      // to the IP address in the received parameter … using the port in the sent-by value" —
      // not to the peer's ephemeral source port.
      if (protocol === 'ws' || protocol === 'wss') throw new Error(`${protocol} connection to ${remote.host}:${remote.port} is closed`);
      remote = reconnectTarget(msg, protocol, flow.remote);
      flow = undefined;
    }
    const t = this.pick(protocol, remote.host, flow?.local) ?? this.outboundOnly(protocol);
    if (t === undefined) throw new Error(`no ${protocol} transport listening for ${remote.host}`);
    const out = await t.send(serializeMessage(msg), { flow, remote });
    this.stats.sent++;
    return out;
  }

  /**
   * Sends bytes serialized earlier to `flow.remote` (already the response target), on the flow's
   * transport: a completed transaction re-sending its final response.
   */
  async sendBytes(bytes: WireData, flow: Flow): Promise<Flow> {
    const t = this.pick(flow.transport, flow.remote.host, flow.local);
    if (t === undefined) throw new Error(`no ${flow.transport} transport listening for ${flow.remote.host}`);
    const out = await t.send(bytes, { flow, remote: flow.remote });
    this.stats.sent++;
    return out;
  }

  /**
   * `sendBytes` without a Promise per send, for bursts (a NOTIFY fan-out is one synchronous run, and a
   * Promise per NOTIFY lived until it ended, through young-generation GCs). `onError` runs only on a
   * failure, always in a later microtask (never inside the caller's loop).
   */
  sendBytesQuietly(bytes: WireData, flow: Flow, onError: (err: unknown) => void): void {
    const t = this.pick(flow.transport, flow.remote.host, flow.local);
    if (t?.sendDatagram === undefined) {
      this.sendBytes(bytes, flow).catch(onError);
      return;
    }
    t.sendDatagram(bytes, flow.remote, (err) => {
      if (err === null) this.stats.sent++;
      else queueMicrotask(() => onError(err));
    });
  }

  /** True while the flow's connection is open (always true for UDP). */
  isFlowAlive(flow: Flow): boolean {
    if (flow.connectionId === undefined) return true;
    return this.transports.some((t) => t.protocol === flow.transport && t.hasConnection(flow.connectionId!));
  }

  async close(): Promise<void> {
    await Promise.all(this.transports.splice(0).map((t) => t.close()));
  }

  /** On every send: loops without allocating (an IPv6 literal is the only host form with a colon). */
  private pick(protocol: TransportProtocol, host?: string, local?: HostPort): SipTransport | undefined {
    const v6 = host !== undefined && host.includes(':');
    let first: SipTransport | undefined;
    let family: SipTransport | undefined;
    for (const t of this.transports) {
      if (t.protocol !== protocol) continue;
      if (local !== undefined && t.local.port === local.port && t.local.host === local.host) return t;
      first ??= t;
      if (family === undefined && t.local.host.includes(':') === v6) family = t;
    }
    return family ?? first;
  }

  /** RFC 7118: ws/wss can be used as a client without a listener; such a transport is made on first use. */
  private outboundOnly(protocol: TransportProtocol): SipTransport | undefined {
    if (protocol !== 'ws' && protocol !== 'wss') return undefined;
    const t = WsTransport.client(protocol, this, this.clientTls);
    this.transports.push(t);
    return t;
  }

  /* ---- TransportSink ---- */

  nextConnectionId(): number {
    return ++this.connectionSeq;
  }

  deliver(bytes: Buffer, flow: Flow, framing: 'datagram' | 'stream' | 'ws'): void {
    this.stats.received++;
    const parsed = parseMessage(bytes, { stream: framing === 'stream', maxHeaders: this.limits.maxHeaders });
    if (isParseError(parsed)) {
      this.stats.parseErrors++;
      this.logger.info('malformed SIP message', { flow: formatFlow(flow), status: parsed.status, reason: parsed.reason });
      if (parsed.partial) this.answerMalformed(parsed.partial, parsed.status, parsed.reason, flow);
      return;
    }
    if (parsed.kind === 'request') stampReceived(parsed, flow.remote);
    try {
      this.delegate.onMessage?.(parsed, flow);
    } catch (err) {
      this.logger.error('delegate threw while handling a message', { flow: formatFlow(flow), err: String(err), stack: (err as Error)?.stack });
    }
  }

  rejectStream(head: Buffer | undefined, status: number, reason: string, flow: Flow): void {
    if (head === undefined || status === 0) return;
    const parsed = parseMessage(head, { stream: false, maxHeaders: this.limits.maxHeaders });
    const partial = isParseError(parsed) ? parsed.partial : parsed;
    if (partial) this.answerMalformed(partial, status, reason, flow);
  }

  connectionClosed(flow: Flow): void {
    this.delegate.onFlowClosed?.(flow);
  }

  private answerMalformed(partial: SipMessage, status: number, reason: string, flow: Flow): void {
    if (partial.kind !== 'request' || !canAnswer(partial)) return;
    stampReceived(partial, flow.remote);
    const res = createResponse(partial, status, reason);
    this.send(res, flow).catch((err) => this.logger.warn('could not answer malformed request', { flow: formatFlow(flow), err: String(err) }));
  }
}
