/**
 * The optional native UDP addon (`native/udp-batch.c` sendmmsg, `native/udp-recv.c` recvmmsg), built
 * by `npm ci` through node-gyp on Linux; absent elsewhere, and every caller then uses dgram alone.
 * Also reaches dgram's libuv handle, which no public API exposes: its descriptor and its read switch.
 */
import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import type { WireData } from './transport-sink.js';

export interface UdpAddon {
  sendBatch(fd: number, datagrams: WireData[], ports: number[], hosts: string[], from: number, count: number): number;
  startReceive(fd: number, slotBytes: number, onDatagram: (data: Buffer, host: string, port: number) => void): object;
  stopReceive(handle: object): void;
}

let addon: UdpAddon | null | undefined;

/** The built addon, or null (loaded once). */
export function loadUdpAddon(): UdpAddon | null {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)('../../../build/Release/udp_batch.node') as UdpAddon;
  } catch {
    addon = null;
  }
  return addon;
}

interface DgramHandle {
  fd?: unknown;
  recvStop?: () => number;
}

function dgramHandle(socket: Socket): DgramHandle | undefined {
  const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  return state === undefined ? undefined : (socket as unknown as Record<symbol, { handle?: DgramHandle }>)[state]?.handle;
}

/** The bound socket's descriptor; null if dgram's internals do not show it. */
export function socketFd(socket: Socket): number | null {
  const fd = dgramHandle(socket)?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

/** Stops dgram's own reading of a bound socket (its 'message' events); false if it cannot. */
export function stopDgramReading(socket: Socket): boolean {
  const handle = dgramHandle(socket);
  return typeof handle?.recvStop === 'function' && handle.recvStop() === 0;
}
