/**
 * TCP and TLS transports (RFC 3261 §18, stream framing in `stream-framer.ts`), IPv4/IPv6.
 *
 * Rule 1: a connection is a flow; responses and in-dialog requests reuse it (RFC 3261 §18.2.2:
 *         "the response MUST be sent using the existing connection" when it is still open).
 * Rule 2: limits: max connections per source IP, max pending bytes, idle timeout — each refusal logged.
 * Rule 3: socket errors never escape: they close the connection and are logged.
 * Rule 4: an outbound connection that reached itself is dropped as a failed connect: re-opening a
 *         connection to a client's closed ephemeral port (§18.2.2) can be given that same port as its
 *         source, and TCP's simultaneous open then connects the socket to itself — it stayed open,
 *         reading back what it wrote (seen once in the fuzz test).
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Flow, HostPort } from './flow.js';
import { StreamFramer } from './stream-framer.js';
import type { SipTransport, TransportSink, WireData } from './transport-sink.js';

export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  /** verify the peer's certificate on outbound connections (default false: lab use) */
  rejectUnauthorized?: boolean;
}

interface Connection {
  socket: Socket;
  flow: Flow;
  framer: StreamFramer;
}

const CRLF = Buffer.from('\r\n');

/** Rule 4: a socket whose two ends are the same address and port. */
export function isSelfConnected(s: Pick<Socket, 'localAddress' | 'localPort' | 'remoteAddress' | 'remotePort'>): boolean {
  return s.localPort !== undefined && s.localPort === s.remotePort && s.localAddress === s.remoteAddress;
}

export class StreamTransport implements SipTransport {
  private readonly connections = new Map<number, Connection>();
  private readonly byRemote = new Map<string, number>();
  private readonly perSource = new Map<string, number>();

  private constructor(
    readonly protocol: 'tcp' | 'tls',
    private readonly server: Server,
    readonly local: HostPort,
    private readonly sink: TransportSink,
    private readonly tls?: TlsOptions,
  ) {}

  static listen(protocol: 'tcp' | 'tls', host: string, port: number, sink: TransportSink, tls?: TlsOptions): Promise<StreamTransport> {
    if (protocol === 'tls' && tls === undefined) throw new Error('tls transport needs cert and key');
    const holder: { t?: StreamTransport } = {};
    const onSocket = (s: Socket): void => holder.t?.accept(s);
    const server = protocol === 'tls' ? createTlsServer({ cert: tls!.cert, key: tls!.key }, onSocket) : createServer(onSocket);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const a = server.address();
        const addr = typeof a === 'object' && a !== null ? a : { address: host, port };
        holder.t = new StreamTransport(protocol, server, { host: addr.address, port: addr.port }, sink, tls);
        server.on('error', (err) => sink.logger.error(`${protocol} server error`, { err: String(err) }));
        if (protocol === 'tls') server.on('tlsClientError', (err) => sink.logger.warn('tls handshake failed', { err: String(err) }));
        resolve(holder.t);
      });
    });
  }

  private accept(socket: Socket): void {
    const src = socket.remoteAddress ?? '?';
    const count = this.perSource.get(src) ?? 0;
    if (count >= this.sink.limits.maxConnectionsPerSource) {
      this.sink.stats.rejectedByLimit++;
      this.sink.logger.warn('connection refused: maxConnectionsPerSource', { transport: this.protocol, source: src, count });
      socket.destroy();
      return;
    }
    this.perSource.set(src, count + 1);
    socket.once('close', () => {
      const n = (this.perSource.get(src) ?? 1) - 1;
      if (n <= 0) this.perSource.delete(src);
      else this.perSource.set(src, n);
    });
    this.adopt(socket);
  }

  private adopt(socket: Socket): Connection {
    const id = this.sink.nextConnectionId();
    const remote = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const flow: Flow = { transport: this.protocol, local: this.local, remote, connectionId: id };
    const lim = this.sink.limits;
    const conn: Connection = { socket, flow, framer: new StreamFramer(lim.maxMessageSize, lim.maxPendingBytes) };
    this.connections.set(id, conn);
    this.byRemote.set(`${remote.host}|${remote.port}`, id);
    this.sink.stats.connectionsOpened++;
    if (lim.idleTimeoutMs > 0) socket.setTimeout(lim.idleTimeoutMs, () => {
      this.sink.logger.info('idle connection closed', { flow: flow.remote, transport: this.protocol });
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', (err) => this.sink.logger.debug('connection error', { remote, err: String(err) }));
    socket.on('close', () => this.forget(conn));
    return conn;
  }

  private onData(conn: Connection, chunk: Buffer): void {
    for (const ev of conn.framer.push(chunk)) {
      if (ev.kind === 'message') this.sink.deliver(ev.bytes, conn.flow, 'stream');
      else if (ev.kind === 'ping') {
        // RFC 5626 §4.4.1: "the server … MUST respond with a single CRLF" (pong)
        this.sink.stats.keepalivesAnswered++;
        conn.socket.write(CRLF);
      } else {
        this.sink.stats.rejectedByLimit++;
        this.sink.logger.warn('stream framing failed; closing connection', { remote: conn.flow.remote, reason: ev.reason });
        this.sink.rejectStream(ev.head, ev.status, ev.reason, conn.flow);
        conn.socket.end();
        setTimeout(() => conn.socket.destroy(), 200).unref();
      }
    }
  }

  private forget(conn: Connection): void {
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
    // RFC 3261 §18.2.2: if the connection is gone, "the server SHOULD open a connection to the IP address in the received parameter"
    conn ??= await this.open(target.remote);
    const c = conn;
    await new Promise<void>((resolve, reject) => c.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
    return c.flow;
  }

  private open(remote: HostPort): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const opts = { host: remote.host, port: remote.port };
      const socket: Socket | TLSSocket =
        this.protocol === 'tls'
          ? tlsConnect({ ...opts, ca: this.tls?.ca, rejectUnauthorized: this.tls?.rejectUnauthorized ?? false })
          : netConnect(opts);
      const ready = this.protocol === 'tls' ? 'secureConnect' : 'connect';
      socket.once('error', reject);
      socket.once(ready, () => {
        socket.off('error', reject);
        if (isSelfConnected(socket)) {
          socket.destroy();
          reject(new Error(`connection to ${remote.host}:${remote.port} reached itself (no one listens there)`));
          return;
        }
        resolve(this.adopt(socket));
      });
    });
  }

  close(): Promise<void> {
    for (const c of this.connections.values()) c.socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
