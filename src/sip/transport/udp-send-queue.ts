/**
 * Batched UDP sends: datagrams queued in one turn of the event loop (the answers to one read of the
 * socket, a NOTIFY fan-out, a 200 OK and the NOTIFY that follows it, timers firing together) leave in
 * `sendmmsg(2)` calls through the optional native addon (`native/udp-batch.c`) instead of one `send`
 * each. A loopback datagram costs ~8 µs through dgram's send on this VM and ~2.5 µs in a batch of 64.
 *
 * Rule 1: order per socket is kept: when libuv holds queued sends of its own (the kernel buffer was
 *         full), every datagram goes through dgram behind them until that queue drains.
 * Rule 2: the queue flushes every `FLUSH_AT` datagrams and at the end of the loop turn (setImmediate),
 *         so the first NOTIFY of a fan-out does not wait for the last, and the answers to one read of
 *         the socket share a call. Whatever waits on a send's outcome lives until that turn ends:
 *         server transactions hand their Completed state over without waiting (server-transaction.ts
 *         `handsOverAtOnce`), else they outlive young-generation GCs.
 * Rule 3: without the addon (not built, not Linux) or when disabled, every datagram goes through dgram.
 * Rule 4: a full batch and the end of the turn flush through the same call (`flushOrDefer`): at a
 *         few sends per turn no batch ever fills, and a first fan-out that found the full-batch branch
 *         without type feedback would deoptimize the whole NOTIFY send path V8 had inlined around it.
 */
import type { Socket } from 'node:dgram';
import { constants } from 'node:os';
import type { WireData } from './transport-sink.js';
import { loadUdpAddon, socketFd, type UdpAddon } from './udp-addon.js';

export type SendDone = (err: Error | null) => void;

const FLUSH_AT = 64;
const { EAGAIN, EINVAL, EMSGSIZE } = constants.errno;

function errnoError(errno: number, host: string, port: number): Error {
  const code = errno === EAGAIN ? 'EAGAIN' : errno === EINVAL ? 'EINVAL' : errno === EMSGSIZE ? 'EMSGSIZE' : `errno ${errno}`;
  return Object.assign(new Error(`send ${code} ${host}:${port}`), { code, errno: -errno });
}

export class UdpSendQueue {
  private datagrams: WireData[] = [];
  private ports: number[] = [];
  private hosts: string[] = [];
  private dones: SendDone[] = [];
  private scheduled = false;
  private readonly flushSoon = (): void => {
    this.scheduled = false;
    this.flushOrDefer(true);
  };

  private constructor(
    private readonly socket: Socket,
    private readonly fd: number | null,
    private readonly batch: UdpAddon | null,
  ) {}

  /** A queue for a bound socket; `batching` false (or no addon, or no descriptor) sends one by one. */
  static forSocket(socket: Socket, batching: boolean): UdpSendQueue {
    const batch = batching ? loadUdpAddon() : null;
    const fd = batch === null ? null : socketFd(socket);
    return new UdpSendQueue(socket, fd, fd === null ? null : batch);
  }

  /** True when datagrams leave in sendmmsg batches. */
  get batching(): boolean {
    return this.batch !== null;
  }

  /** Queue one datagram (bytes, or text sent as UTF-8) to an IP literal; `done` hears the outcome. */
  send(datagram: WireData, port: number, host: string, done: SendDone): void {
    if (this.batch === null || host.includes('%')) {
      this.sendOne(datagram, port, host, done); // a scoped IPv6 literal needs dgram's interface lookup
      return;
    }
    this.datagrams.push(datagram);
    this.ports.push(port);
    this.hosts.push(host);
    this.dones.push(done);
    this.flushOrDefer(this.datagrams.length >= FLUSH_AT);
  }

  /** Rule 4. */
  private flushOrDefer(now: boolean): void {
    if (now) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon);
    }
  }

  /** Send everything queued now. */
  flush(): void {
    const { datagrams, ports, hosts, dones } = this;
    const n = datagrams.length;
    if (n === 0) return;
    this.datagrams = [];
    this.ports = [];
    this.hosts = [];
    this.dones = [];
    let from = 0;
    while (from < n && this.libuvQueueEmpty()) {
      const r = this.batch!.sendBatch(this.fd!, datagrams, ports, hosts, from, n - from);
      if (r > 0) {
        for (let i = from; i < from + r; i++) dones[i]!(null);
        from += r;
      } else if (r === -EAGAIN || r === 0) {
        break; // kernel buffer full: dgram queues the rest and sends when writable (Rule 1)
      } else {
        dones[from]!(errnoError(-r, hosts[from]!, ports[from]!));
        from++;
      }
    }
    for (let i = from; i < n; i++) this.sendOne(datagrams[i]!, ports[i]!, hosts[i]!, dones[i]!);
  }

  /** Rule 1; a closed socket has no queue (and throws): its sends fail in `sendOne`. */
  private libuvQueueEmpty(): boolean {
    try {
      return this.socket.getSendQueueCount() === 0;
    } catch {
      return false;
    }
  }

  /** Through dgram; a socket closed meanwhile throws, which becomes this datagram's error, never the caller's. */
  private sendOne(datagram: WireData, port: number, host: string, done: SendDone): void {
    try {
      this.socket.send(datagram, port, host, (err) => done(err ?? null));
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
