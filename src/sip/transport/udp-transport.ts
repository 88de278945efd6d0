/**
 * UDP transport (RFC 3261 §18 over datagrams), IPv4 or IPv6 by the bound address.
 * Every datagram is one message; oversize datagrams are counted and dropped with a log.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIPv6 } from 'node:net';
import type { Flow, HostPort } from './flow.js';
import type { SipTransport, TransportSink, WireData } from './transport-sink.js';
import { UdpBatchReceiver } from './udp-batch-receiver.js';
import { UdpSendQueue } from './udp-send-queue.js';

const IPV4_LITERAL = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * dgram's address lookup for every send: the stack sends to IP literals (RFC 3263 resolution ran
 * before), which are answered at once instead of through `dns.lookup`'s next-tick round and its
 * full IPv6 regex; a name still goes to `dns.lookup`.
 */
function literalFirstLookup(
  address: string, family: unknown, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (IPV4_LITERAL.test(address)) return callback(null, address, 4);
  if (address.includes(':')) return callback(null, address, 6);
  dnsLookup(address, family as number, callback);
}

export class UdpTransport implements SipTransport {
  readonly protocol = 'udp' as const;

  private readonly out: UdpSendQueue;
  /** recvmmsg reads when the addon is built; else dgram's 'message' events */
  private receiver: UdpBatchReceiver | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly local: HostPort,
    batching: boolean,
  ) {
    this.out = UdpSendQueue.forSocket(socket, batching);
  }

  static bind(host: string, port: number, sink: TransportSink): Promise<UdpTransport> {
    const rcvbuf = sink.limits.udpReceiveBufferBytes;
    const socket = createSocket({
      type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false, lookup: literalFirstLookup, ...(rcvbuf > 0 ? { recvBufferSize: rcvbuf } : {}),
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        const addr = socket.address();
        const t = new UdpTransport(socket, { host: addr.address, port: addr.port }, sink.limits.udpSendBatching);
        socket.on('error', (err) => sink.logger.error('udp socket error', { local: t.local, err: String(err) }));
        if (sink.limits.udpReceiveBatching) {
          // +1: a datagram over the limit arrives cut to limit + 1 bytes and is dropped as oversize
          t.receiver = UdpBatchReceiver.start(socket, sink.limits.maxMessageSize + 1, (data, host, port) => t.onDatagram(sink, data, { host, port }));
        }
        if (t.receiver === null) socket.on('message', (data, rinfo) => t.onDatagram(sink, data, { host: rinfo.address, port: rinfo.port }));
        sink.logger.debug('udp batching', {
          local: t.local, sends: t.out.batching ? 'sendmmsg' : 'one send per datagram', reads: t.receiver ? 'recvmmsg' : 'one read per datagram',
        });
        resolve(t);
      });
    });
  }

  private onDatagram(sink: TransportSink, data: Buffer, remote: HostPort): void {
    const flow: Flow = { transport: 'udp', local: this.local, remote };
    if (data.length > sink.limits.maxMessageSize) {
      sink.stats.rejectedByLimit++;
      sink.logger.warn('udp datagram over maxMessageSize dropped', { remote, size: data.length });
      return;
    }
    // RFC 5626 §4.4.1 does not define UDP CRLF pings (STUN is used there); a bare CRLF datagram is ignored.
    if (data.length <= 4 && data.every((b) => b === 13 || b === 10)) return;
    sink.deliver(data, flow, 'datagram');
  }

  sendDatagram(bytes: WireData, remote: HostPort, done: (err: Error | null) => void): void {
    this.out.send(bytes, remote.port, remote.host, done);
  }

  send(bytes: WireData, target: { flow?: Flow; remote: HostPort }): Promise<Flow> {
    const remote = target.remote;
    return new Promise((resolve, reject) => {
      this.sendDatagram(bytes, remote, (err) => {
        if (err) reject(err);
        else resolve({ transport: 'udp', local: this.local, remote });
      });
    });
  }

  /** True when datagrams are read in recvmmsg batches. */
  get batchedReads(): boolean {
    return this.receiver !== null;
  }

  hasConnection(): boolean {
    return false;
  }

  close(): Promise<void> {
    this.receiver?.stop();
    this.out.flush();
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch (err) {
        resolve(void err); // already closed
      }
    });
  }
}
