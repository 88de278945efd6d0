/**
 * Transport limits and logging port (issue 3 "Limits, configurable, with clear logs").
 * Pure: no I/O.
 */

export interface TransportLimits {
  /** bytes; larger messages are rejected (513 when answerable) and stream connections closed */
  maxMessageSize: number;
  /** header fields per message */
  maxHeaders: number;
  /** unframed bytes buffered per stream connection before it is closed */
  maxPendingBytes: number;
  /** concurrent inbound connections from one source IP */
  maxConnectionsPerSource: number;
  /** ms without traffic before a stream connection is closed; 0 = never */
  idleTimeoutMs: number;
  /**
   * bytes of kernel receive buffer asked for each UDP socket (SO_RCVBUF; the kernel caps it at
   * net.core.rmem_max); 0 = OS default. The default (~208 KiB on Linux) holds only a few hundred
   * datagrams, so a burst (SIPp at 5,000/s) is dropped and retransmitted 500 ms later.
   */
  udpReceiveBufferBytes: number;
  /** UDP datagrams queued in one event-loop turn leave in sendmmsg batches (udp-send-queue.ts) when the
   *  native addon is built; false sends each through dgram */
  udpSendBatching: boolean;
  /** UDP datagrams are read in recvmmsg batches (udp-batch-receiver.ts) when the native addon is built;
   *  false reads each through dgram */
  udpReceiveBatching: boolean;
}

export const DEFAULT_LIMITS: Readonly<TransportLimits> = {
  maxMessageSize: 65_535,
  maxHeaders: 256,
  maxPendingBytes: 131_072,
  maxConnectionsPerSource: 64,
  idleTimeoutMs: 600_000,
  udpReceiveBufferBytes: 4 * 1024 * 1024,
  udpSendBatching: true,
  udpReceiveBatching: true,
};

/** Logging port (winston-compatible shape). */
export interface SipLogger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

const noop = (): void => undefined;
export const SILENT_LOGGER: SipLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** Counters a metrics adapter can read. */
export interface TransportStats {
  received: number;
  sent: number;
  parseErrors: number;
  rejectedByLimit: number;
  connectionsOpened: number;
  connectionsClosed: number;
  keepalivesAnswered: number;
}

export function createTransportStats(): TransportStats {
  return { received: 0, sent: 0, parseErrors: 0, rejectedByLimit: 0, connectionsOpened: 0, connectionsClosed: 0, keepalivesAnswered: 0 };
}
