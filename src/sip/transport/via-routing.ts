/**
 * Via-based routing for the server side (RFC 3261 §18.2.1, §18.2.2; RFC 3581 §4).
 * Pure helpers: no I/O.
 */
import { peekTopVia, copyVia, formatVia, writeTopVia, unbracketHost, type SipRequest, type SipResponse, type ViaView } from '../message/index.js';
import type { HostPort } from './flow.js';

/**
 * RFC 3261 §18.2.1: "the server transport MUST add a received parameter to that Via header field
 * value" when the sent-by host differs from the packet source. RFC 3581 §4: when `rport` has no
 * value, "the server MUST set the value of the parameter to the source port of the request"
 * (and then MUST also add received).
 */
export function stampReceived(req: SipRequest, source: HostPort): void {
  const top = peekTopVia(req);
  if (top === null) return;
  const hostDiffers = unbracketHost(top.host) !== source.host;
  if (!hostDiffers && top.rport !== true) return;
  const via = copyVia(top);
  via.received = source.host;
  via.params.set('received', source.host);
  if (via.rport === true) {
    via.rport = source.port;
    via.params.set('rport', String(source.port));
  }
  writeTopVia(req, stampedText(req, top, via) ?? formatVia(via), via);
}

/** `;rport` written as a flag, at the end or before the next parameter */
const RPORT_FLAG = /;[ \t]*rport[ \t]*(?=;|$)/i;

/**
 * The usual case without re-formatting the Via: fill in the `;rport` flag and append `;received=`,
 * leaving the rest of the value as the peer wrote it. Null when that is not safe (a `received`
 * already present, an odd rport spelling): the caller formats the whole Via instead.
 */
function stampedText(req: SipRequest, top: ViaView, via: { received?: string; rport?: number | true }): string | null {
  if (top.params.has('received')) return null;
  const raw = req.headers.get('via')!;
  const text = raw.indexOf(',') < 0 ? raw : null;
  if (text === null) return null;
  if (top.rport === true) {
    if (!RPORT_FLAG.test(text)) return null;
    return `${text.replace(RPORT_FLAG, `;rport=${via.rport}`)};received=${via.received}`;
  }
  return `${text};received=${via.received}`;
}

/**
 * Where a response goes over an unreliable transport (RFC 3261 §18.2.2 + RFC 3581 §4):
 * received + rport when present, else received (or sent-by) + sent-by port (default 5060).
 */
export function responseTarget(res: SipResponse, fallback: HostPort): HostPort {
  const via = peekTopVia(res);
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
  const via = peekTopVia(res);
  if (via === null) return fallback;
  return { host: via.received ?? unbracketHost(via.host), port: via.port ?? (transport === 'tls' ? 5061 : 5060) };
}

/** The request's sender as far as we can answer it: true when the top Via can route a response. */
export function canAnswer(req: SipRequest): boolean {
  return peekTopVia(req) !== null && req.method !== 'ACK';
}
