/**
 * Flows (RFC 5626 §3.1 "flow": transport + local address + remote address, plus the connection when
 * the transport is connection-oriented). A response or in-dialog request sent on a `Flow` goes back
 * over the connection the peer used (RFC 3261 §18.2.2, RFC 3581).
 *
 * Pure types and helpers: no I/O here.
 */

export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** Host without IPv6 brackets (socket form) and a port. */
export interface HostPort {
  host: string;
  port: number;
}

export interface Flow {
  transport: TransportProtocol;
  local: HostPort;
  remote: HostPort;
  /** connection id for tcp/tls/ws/wss (unique within one transport layer) */
  connectionId?: number;
}

/** Where to send a request when no flow exists yet. */
export interface Destination {
  transport: TransportProtocol;
  /** an IP address, or a name the stack resolves per RFC 3263 before sending */
  host: string;
  port: number;
  /** set by `resolveTarget` when the URI gave no port: RFC 3263 may use NAPTR/SRV (§4.2) */
  portFromDefault?: boolean;
  /** set by `resolveTarget` when the URI gave no `transport` parameter (§4.1) */
  transportFromDefault?: boolean;
  /** the URI was sips: (TLS only) */
  secure?: boolean;
}

export function isStreamTransport(t: TransportProtocol): boolean {
  return t !== 'udp';
}

/** RFC 3261 §18.1.1 / RFC 7118 Via transport tokens. */
export function viaTransportToken(t: TransportProtocol): string {
  return t.toUpperCase();
}

export function transportFromToken(token: string): TransportProtocol | null {
  const t = token.toLowerCase();
  return t === 'udp' || t === 'tcp' || t === 'tls' || t === 'ws' || t === 'wss' ? t : null;
}

/** RFC 3263 §4.2 default ports. */
export function defaultPort(t: TransportProtocol): number {
  return t === 'tls' ? 5061 : t === 'ws' ? 80 : t === 'wss' ? 443 : 5060;
}

export function formatFlow(f: Flow): string {
  const c = f.connectionId !== undefined ? `#${f.connectionId}` : '';
  return `${f.transport}${c} ${f.local.host}:${f.local.port}<->${f.remote.host}:${f.remote.port}`;
}
