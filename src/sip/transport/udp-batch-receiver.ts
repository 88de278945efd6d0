/**
 * Batched UDP reads: the native addon's recvmmsg (`native/udp-recv.c`) takes up to 32 waiting
 * datagrams per system call and hands them over in one callback scope, instead of dgram's recvmsg,
 * 64 KiB allocation, MakeCallback and rinfo object per datagram (~5.5 µs of receiver CPU per loopback
 * datagram here).
 *
 * Rule 1: dgram keeps owning the socket (bind, sends, close); only its reading is switched off, and
 *         the addon polls a duplicate of the descriptor on Node's own loop.
 * Rule 2: each datagram is a Buffer of its own (a body the parser keeps pins only its datagram); one
 *         longer than `slotBytes` arrives cut to `slotBytes`, so the transport passes its size limit
 *         + 1 and drops it as oversize, as it does a whole one from dgram.
 * Rule 3: `stop()` before the socket closes: the duplicate descriptor is closed at once, so the port
 *         is free when dgram's close completes.
 */
import type { Socket } from 'node:dgram';
import { loadUdpAddon, socketFd, stopDgramReading, type UdpAddon } from './udp-addon.js';

export type DatagramHandler = (data: Buffer, host: string, port: number) => void;

export class UdpBatchReceiver {
  private handle: object | null;

  private constructor(private readonly addon: UdpAddon, handle: object) {
    this.handle = handle;
  }

  /** Takes over the reading of a bound socket; null (dgram keeps reading) when the addon cannot. */
  static start(socket: Socket, slotBytes: number, onDatagram: DatagramHandler): UdpBatchReceiver | null {
    const addon = loadUdpAddon();
    const fd = addon === null ? null : socketFd(socket);
    if (addon === null || fd === null || typeof addon.startReceive !== 'function') return null;
    let handle: object;
    try {
      handle = addon.startReceive(fd, slotBytes, onDatagram);
    } catch {
      return null;
    }
    if (!stopDgramReading(socket)) {
      addon.stopReceive(handle);
      return null;
    }
    return new UdpBatchReceiver(addon, handle);
  }

  /** Rule 3; once. */
  stop(): void {
    if (this.handle === null) return;
    const h = this.handle;
    this.handle = null;
    this.addon.stopReceive(h);
  }
}
