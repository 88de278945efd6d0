/**
 * Via-based routing for the server side (RFC 3261 §18.2.1, §18.2.2; RFC 3581 §4).
 * Pure helpers: no I/O.
 */
import { parseVia, formatVia, splitHeaderList, unbracketHost, type SipRequest, type SipResponse } from '../message/index.js';
import type { HostPort } from './flow.js';

/**
 * RFC 3261 §18.2.1: "the server transport MUST add a received parameter to that Via header field
 * value" when the sent-by host differs from the packet source. RFC 3581 §4: when `rport` has no
 * value, "the server MUST set the value of the parameter to the source port of the request"
 * (and then MUST also add received).
 */
export function stampReceived(req: SipRequest, source: HostPort): void {
  const h = req.headers;
  const i = h.keys.indexOf('via');
  if (i < 0) return;
  const parts = splitHeaderList(h.values[i]);
  const via = parseVia(parts[0]);
  if (via === null) return;
  const hostDiffers = unbracketHost(via.host) !== source.host;
  if (!hostDiffers && via.rport !== true) return;
  if (hostDiffers || via.rport === true) via.received = source.host;
  if (via.rport === true) via.rport = source.port;
  parts[0] = formatVia(via);
  h.values[i] = parts.join(', ');
}

/**
 * Where a response goes over an unreliable transport (RFC 3261 §18.2.2 + RFC 3581 §4):
 * received + rport when present, else received (or sent-by) + sent-by port (default 5060).
 */
export function responseTarget(res: SipResponse, fallback: HostPort): HostPort {
  const top = res.headers.first('via');
  const via = top === undefined ? null : parseVia(top);
  if (via === null) return fallback;
  const host = via.received ?? unbracketHost(via.host);
  if (typeof via.rport === 'number') return { host, port: via.rport };
  return { host, port: via.port ?? 5060 };
}

/**
 * Where a response goes over a stream transport whose connection closed (RFC 3261 §18.2.2):
 * received (else sent-by host) and the sent-by port, else the transport's default port.
 */
export function reconnectTarget(res: SipResponse, transport: 'tcp' | 'tls' | 'udp', fallback: HostPort): HostPort {
  const top = res.headers.first('via');
  const via = top === undefined ? null : parseVia(top);
  if (via === null) return fallback;
  return { host: via.received ?? unbracketHost(via.host), port: via.port ?? (transport === 'tls' ? 5061 : 5060) };
}

/** The request's sender as far as we can answer it: true when the top Via can route a response. */
export function canAnswer(req: SipRequest): boolean {
  const top = req.headers.first('via');
  return top !== undefined && parseVia(top) !== null && req.method !== 'ACK';
}
