/**
 * SIP over WebSocket (RFC 7118) via `ws`: subprotocol `sip`, one SIP message per WebSocket
 * message (text or binary), WS and WSS, IPv4/IPv6.
 *
 * Rule 1: malformed frames, oversize payloads and socket errors close that connection only
 *         (`ws` reports them as 'error' events; we log them) — the process never crashes.
 * Rule 2: connection limits as for TCP (per source, idle timeout).
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Flow, HostPort } from './flow.js';
import type { SipTransport, TransportSink, WireData } from './transport-sink.js';
import type { TlsOptions } from './stream-transport.js';

interface WsConnection {
  ws: WebSocket;
  flow: Flow;
  idle?: ReturnType<typeof setTimeout>;
}

export class WsTransport implements SipTransport {
  private readonly connections = new Map<number, WsConnection>();
  private readonly byRemote = new Map<string, number>();
  private readonly perSource = new Map<string, number>();
  private wss?: WebSocketServer;

  private constructor(
    readonly protocol: 'ws' | 'wss',
    private readonly http: HttpServer | undefined,
    readonly local: HostPort,
    private readonly sink: TransportSink,
    private readonly tls?: TlsOptions,
  ) {}

  static listen(protocol: 'ws' | 'wss', host: string, port: number, sink: TransportSink, tls?: TlsOptions): Promise<WsTransport> {
    if (protocol === 'wss' && tls === undefined) throw new Error('wss transport needs cert and key');
    const http = protocol === 'wss' ? createHttpsServer({ cert: tls!.cert, key: tls!.key }) : createHttpServer();
    return new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        const a = http.address();
        const addr = typeof a === 'object' && a !== null ? a : { address: host, port };
        const t = new WsTransport(protocol, http, { host: addr.address, port: addr.port }, sink, tls);
        t.start();
        resolve(t);
      });
    });
  }

  /**
   * Outbound only (RFC 7118 §5: a SIP WebSocket client opens connections and accepts none): used when
   * the stack must send over ws/wss without listening on it. Connections opened are reused per remote.
   */
  static client(protocol: 'ws' | 'wss', sink: TransportSink, tls?: Pick<TlsOptions, 'ca' | 'rejectUnauthorized'>): WsTransport {
    return new WsTransport(protocol, undefined, { host: '0.0.0.0', port: 0 }, sink, tls as TlsOptions | undefined);
  }

  private start(): void {
    this.wss = new WebSocketServer({
      server: this.http!,
      maxPayload: this.sink.limits.maxMessageSize,
      // RFC 7118 §4.1: the subprotocol token is "sip"
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
    this.wss.on('error', (err) => this.sink.logger.error('ws server error', { err: String(err) }));
    this.wss.on('connection', (ws, req) => {
      const src = req.socket.remoteAddress ?? '?';
      const count = this.perSource.get(src) ?? 0;
      if (count >= this.sink.limits.maxConnectionsPerSource) {
        this.sink.stats.rejectedByLimit++;
        this.sink.logger.warn('ws connection refused: maxConnectionsPerSource', { source: src, count });
        ws.terminate();
        return;
      }
      this.perSource.set(src, count + 1);
      ws.once('close', () => this.perSource.set(src, (this.perSource.get(src) ?? 1) - 1));
      this.adopt(ws, { host: src, port: req.socket.remotePort ?? 0 });
    });
  }

  private adopt(ws: WebSocket, remote: HostPort): WsConnection {
    const id = this.sink.nextConnectionId();
    const flow: Flow = { transport: this.protocol, local: this.local, remote, connectionId: id };
    const conn: WsConnection = { ws, flow };
    this.connections.set(id, conn);
    this.byRemote.set(`${remote.host}|${remote.port}`, id);
    this.sink.stats.connectionsOpened++;
    this.touch(conn);
    ws.on('message', (data: RawData) => {
      this.touch(conn);
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (buf.length <= 4 && buf.every((b) => b === 13 || b === 10)) return;
      this.sink.deliver(buf, flow, 'ws');
    });
    ws.on('error', (err) => this.sink.logger.warn('ws connection error', { remote, err: String(err) }));
    ws.on('close', () => this.forget(conn));
    return conn;
  }

  private touch(conn: WsConnection): void {
    const ms = this.sink.limits.idleTimeoutMs;
    if (ms <= 0) return;
    if (conn.idle) clearTimeout(conn.idle);
    conn.idle = setTimeout(() => {
      this.sink.logger.info('idle ws connection closed', { remote: conn.flow.remote });
      conn.ws.terminate();
    }, ms);
    conn.idle.unref();
  }

  private forget(conn: WsConnection): void {
    if (conn.idle) clearTimeout(conn.idle);
    if (!this.connections.delete(conn.flow.connectionId!)) return;
    const key = `${conn.flow.remote.host}|${conn.flow.remote.port}`;
    if (this.byRemote.get(key) === conn.flow.connectionId) this.byRemote.delete(key);
    this.sink.stats.connectionsClosed++;
    this.sink.connectionClosed(conn.flow);
  }

  hasConnection(id: number): boolean {
    return this.connections.has(id);
  }

  async send(bytes: WireData, target: { flow?: Flow; remote: HostPort }): Promise<Flow> {
    let conn = target.flow?.connectionId !== undefined ? this.connections.get(target.flow.connectionId) : undefined;
    if (conn === undefined) {
      const id = this.byRemote.get(`${target.remote.host}|${target.remote.port}`);
      conn = id !== undefined ? this.connections.get(id) : undefined;
    }
    conn ??= await this.open(target.remote);
    const c = conn;
    await new Promise<void>((resolve, reject) => c.ws.send(typeof bytes === 'string' ? bytes : bytes.toString('utf8'), (err) => (err ? reject(err) : resolve())));
    return c.flow;
  }

  private open(remote: HostPort): Promise<WsConnection> {
    const host = remote.host.includes(':') ? `[${remote.host}]` : remote.host;
    const ws = new WebSocket(`${this.protocol}://${host}:${remote.port}`, 'sip', {
      maxPayload: this.sink.limits.maxMessageSize,
      rejectUnauthorized: this.tls?.rejectUnauthorized ?? false,
      ca: this.tls?.ca,
    });
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        resolve(this.adopt(ws, remote));
      });
    });
  }

  close(): Promise<void> {
    for (const c of this.connections.values()) c.ws.terminate();
    const { wss, http } = this;
    if (wss === undefined || http === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      wss.close(() => http.close(() => resolve()));
      http.closeAllConnections?.();
    });
  }
}
