/**
 * The gateway's SIP side as the wire modules see it: one `SipStack` listening on every configured
 * transport, with requests routed by method to the adapter that registered for it. A method nobody
 * handles gets 405 with `Allow` (RFC 3261 §8.2.1); OPTIONS is answered 200 with `Allow` unless an
 * adapter takes it.
 */
import {
  SipStack,
  createResponse,
  type Flow,
  type ListenSpec,
  type ServerTransaction,
  type SipRequest,
  type TlsOptions,
  type TransportProtocol,
} from '../sip/index.js';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Logger } from './logger.js';

export type SipRequestHandler = (tx: ServerTransaction) => void;
export type SipAckHandler = (ack: SipRequest, flow: Flow) => void;

export interface BoundSipListener {
  readonly transport: TransportProtocol;
  readonly host: string;
  readonly port: number;
}

export interface SipListenPlan {
  readonly host: string;
  readonly udpTcpPort: number;
  readonly tlsPort: number | null;
  readonly wsPort: number | null;
  readonly tls?: TlsOptions;
}

export class SipEndpoint {
  private readonly handlers = new Map<string, SipRequestHandler>();
  private readonly ackHandlers: SipAckHandler[] = [];
  /** contactFor per listen point (a transport's local address object is shared by its flows) */
  private readonly contacts = new WeakMap<object, Map<string, string>>();
  readonly listeners: BoundSipListener[] = [];

  constructor(
    readonly stack: SipStack,
    private readonly logger: Logger,
    /** host for Contact when a flow's local address is a wildcard */
    private readonly advertisedHost = '127.0.0.1',
  ) {
    stack.delegate = {
      onRequest: (tx) => this.route(tx),
      onAck: (ack, flow) => {
        for (const handler of this.ackHandlers) handler(ack, flow);
      },
    };
  }

  /** Starts the listeners; UDP and TCP share one port (when 0, one that is free for both). */
  async listen(plan: SipListenPlan): Promise<BoundSipListener[]> {
    const port = plan.udpTcpPort === 0 ? await freeUdpTcpPort(plan.host) : plan.udpTcpPort;
    const udp = await this.bind({ transport: 'udp', host: plan.host, port });
    await this.bind({ transport: 'tcp', host: plan.host, port: udp.port });
    if (plan.tlsPort !== null && plan.tls) await this.bind({ transport: 'tls', host: plan.host, port: plan.tlsPort, tls: plan.tls });
    if (plan.wsPort !== null) await this.bind({ transport: 'ws', host: plan.host, port: plan.wsPort });
    return this.listeners;
  }

  /** Routes requests of `method` to `handler` (one handler per method). */
  onRequest(method: string, handler: SipRequestHandler): void {
    if (this.handlers.has(method)) throw new Error(`SIP method ${method} already has a handler`);
    this.handlers.set(method, handler);
  }

  /** ACKs for 2xx (their own transactions) go to every registered handler. */
  onAck(handler: SipAckHandler): void {
    this.ackHandlers.push(handler);
  }

  /** Methods with a handler, for `Allow`. */
  allowedMethods(): string[] {
    return [...new Set(['ACK', 'OPTIONS', ...this.handlers.keys()])].sort();
  }

  /** Our Contact URI for requests and responses on `flow` (the address the peer reached us at). */
  contactFor(flow: Flow): string {
    let byTransport = this.contacts.get(flow.local);
    if (byTransport === undefined) {
      byTransport = new Map();
      this.contacts.set(flow.local, byTransport);
    }
    let contact = byTransport.get(flow.transport);
    if (contact === undefined) {
      const local = flow.local.host;
      const host = local === '0.0.0.0' || local === '::' || local === '' ? this.advertisedHost : local;
      const transport = flow.transport === 'udp' ? '' : `;transport=${flow.transport}`;
      contact = `sip:${host.includes(':') ? `[${host}]` : host}:${flow.local.port}${transport}`;
      byTransport.set(flow.transport, contact);
    }
    return contact;
  }

  /** The port of the first listener of a transport (for logs, Contact and tests). */
  portOf(transport: TransportProtocol): number | undefined {
    return this.listeners.find((l) => l.transport === transport)?.port;
  }

  async close(): Promise<void> {
    await this.stack.close();
  }

  private async bind(spec: ListenSpec): Promise<BoundSipListener> {
    const bound = await this.stack.listen(spec);
    this.listeners.push(bound);
    return bound;
  }

  private route(tx: ServerTransaction): void {
    const method = tx.request.method;
    const handler = this.handlers.get(method);
    if (handler) return handler(tx);
    const response =
      method === 'OPTIONS' ? createResponse(tx.request, 200, 'OK') : createResponse(tx.request, 405, 'Method Not Allowed');
    response.headers.set('Allow', this.allowedMethods().join(', '));
    if (method !== 'OPTIONS') this.logger.info('SIP method not handled', { method, from: tx.flow.remote });
    tx.respond(response);
  }
}

/**
 * A port free for both UDP and TCP on `host`. Taking whatever UDP port the OS gives and then TCP on the
 * same number failed now and then (EADDRINUSE: an outgoing TCP connection held that local port), so
 * the pair is probed together before the stack binds it.
 */
async function freeUdpTcpPort(host: string, attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, host, () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const tcp = createServer();
      tcp.once('error', () => resolve(false));
      tcp.listen(port, host, () => tcp.close(() => resolve(true)));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcpFree) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${host} after ${attempts} tries`);
}
