/**
 * The port concrete transports (UDP, TCP/TLS, WS/WSS) report into; implemented by
 * `SipTransportLayer`. Pure types.
 */
import type { Flow } from './flow.js';
import type { SipLogger, TransportLimits, TransportStats } from './transport-options.js';

export interface TransportSink {
  readonly limits: TransportLimits;
  readonly logger: SipLogger;
  readonly stats: TransportStats;
  nextConnectionId(): number;
  /** one whole message: a datagram, a framed stream message, or a WebSocket message */
  deliver(bytes: Buffer, flow: Flow, framing: 'datagram' | 'stream' | 'ws'): void;
  /** a stream could not be framed: answer `status` to what can be read of `head`, then it closes */
  rejectStream(head: Buffer | undefined, status: number, reason: string, flow: Flow): void;
  connectionClosed(flow: Flow): void;
}

/** A serialized message: bytes, or its text (sent as UTF-8; UDP encodes it straight into the send batch). */
export type WireData = Buffer | string;

/** Common shape of one listening transport. */
export interface SipTransport {
  readonly protocol: Flow['transport'];
  readonly local: { host: string; port: number };
  /** send bytes on an existing flow, or open one (stream transports) to `remote` */
  send(bytes: WireData, target: { flow?: Flow; remote: { host: string; port: number } }): Promise<Flow>;
  /** datagram transports: `send` without a Promise; `done` runs once, maybe inside a later `sendDatagram` */
  sendDatagram?(bytes: WireData, remote: { host: string; port: number }, done: (err: Error | null) => void): void;
  hasConnection(id: number): boolean;
  close(): Promise<void>;
}
