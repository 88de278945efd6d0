/**
 * Typed parsers for the header fields the stack and its users need (RFC 3261 §20, RFC 6665 §8.2,
 * RFC 3581). Each parser takes one raw value and returns a value or null (never throws).
 */
import { parseParams, formatParams, isToken, type Params } from './params.js';
import { parseHostPort } from './sip-uri.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import type { SipMessage } from './sip-message.js';

/** RFC 3261 §8.1.1.7: "The branch ID inserted by an element compliant with this specification
 *  MUST always begin with the characters "z9hG4bK"." */
export const BRANCH_MAGIC = 'z9hG4bK';

export interface Via {
  protocol: string;
  /** upper-case transport token: UDP, TCP, TLS, WS, WSS, SCTP … */
  transport: string;
  host: string;
  port?: number;
  params: Params;
  branch?: string;
  received?: string;
  /** RFC 3581: `true` when present without value, the number when filled in */
  rport?: number | true;
}

const SENT_PROTOCOL_RE = /^\s*([A-Za-z0-9.\-!%*_+`'~]+)\s*\/\s*([0-9.]+)\s*\/\s*([A-Za-z0-9.\-!%*_+`'~]+)\s+([^;]+?)\s*(;.*)?$/s;
const TRANSPORT_RE = /^[A-Za-z0-9.\-!%*_+`'~]+$/;

/** Parse one Via value: `SIP/2.0/UDP host:port;branch=…;rport`. */
export function parseVia(text: string): Via | null {
  const parts = splitVia(text);
  if (parts === null) return null;
  const hp = parseHostPort(parts.sentBy);
  const params = parts.params !== undefined ? parseParams(parts.params) : new Map<string, string | null>();
  if (hp === null || params === null) return null;
  const via: Via = { protocol: parts.protocol, transport: parts.transport, host: hp.host, params };
  if (hp.port !== undefined) via.port = hp.port;
  const branch = params.get('branch');
  if (branch) via.branch = branch;
  const received = params.get('received');
  if (received) via.received = received;
  if (params.has('rport')) {
    const r = params.get('rport');
    if (r === null || r === '') via.rport = true;
    else if (/^\d{1,5}$/.test(r ?? '')) via.rport = Number(r);
    else return null;
  }
  return via;
}

/**
 * sent-protocol, sent-by and the raw `;params` of a Via value. The usual `SIP/2.0/UDP host…` is read
 * by offsets; anything else (LWS around the slashes, other case) goes through the full grammar.
 */
function splitVia(text: string): { protocol: string; transport: string; sentBy: string; params?: string } | null {
  if (text.startsWith('SIP/2.0/')) {
    const sp = text.indexOf(' ', 8);
    const transport = sp < 0 ? '' : text.slice(8, sp);
    if (transport.length > 0 && TRANSPORT_RE.test(transport)) {
      const semi = text.indexOf(';', sp);
      const sentBy = (semi < 0 ? text.slice(sp + 1) : text.slice(sp + 1, semi)).trim();
      if (sentBy.length > 0) {
        const upper = transport.toUpperCase();
        return semi < 0 ? { protocol: 'SIP/2.0', transport: upper, sentBy } : { protocol: 'SIP/2.0', transport: upper, sentBy, params: text.slice(semi) };
      }
    }
  }
  const m = SENT_PROTOCOL_RE.exec(text);
  if (m === null) return null;
  const out = { protocol: `${m[1].toUpperCase()}/${m[2]}`, transport: m[3].toUpperCase(), sentBy: m[4] };
  return m[5] !== undefined ? { ...out, params: m[5] } : out;
}

export function formatVia(via: Via): string {
  const params: Params = new Map(via.params);
  if (via.branch !== undefined) params.set('branch', via.branch);
  if (via.received !== undefined) params.set('received', via.received);
  if (via.rport !== undefined) params.set('rport', via.rport === true ? null : String(via.rport));
  const port = via.port !== undefined ? `:${via.port}` : '';
  return `${via.protocol}/${via.transport} ${via.host}${port}${formatParams(params)}`;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** RFC 3261 §8.1.1.5: "The sequence number value MUST be expressible as a 32-bit unsigned integer
 *  and MUST be less than 2**31." */
export function parseCSeq(text: string): CSeq | null {
  // by offsets (every message carries one): LWS? 1*10DIGIT LWS token LWS?
  const n = text.length;
  let i = 0;
  while (i < n && isLws(text.charCodeAt(i))) i++;
  const digits = i;
  while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i === digits || i - digits > 10 || i >= n || !isLws(text.charCodeAt(i))) return null;
  const seq = Number(text.slice(digits, i));
  while (i < n && isLws(text.charCodeAt(i))) i++;
  let end = n;
  while (end > i && isLws(text.charCodeAt(end - 1))) end--;
  const method = text.slice(i, end);
  return seq < 2 ** 31 && method.length > 0 && isToken(method) ? { seq, method } : null;
}

const isLws = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10;

/** Expires / Min-Expires: delta-seconds (RFC 3261 §20.19; values above 2**32-1 clamp). */
export function parseExpires(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,20}$/.test(t)) return null;
  return Math.min(Number(t), 2 ** 32 - 1);
}

export interface EventHeader {
  /** event package, e.g. `dialog`, `presence` (case-insensitive, lower-cased) */
  package: string;
  /** `.template` parts, e.g. `winfo` for `presence.winfo` */
  templates: string[];
  id?: string;
  params: Params;
}

/** RFC 6665 §8.2.1 Event: `dialog;id=1;…` */
export function parseEvent(text: string): EventHeader | null {
  const semi = text.indexOf(';');
  const type = (semi >= 0 ? text.slice(0, semi) : text).trim().toLowerCase();
  if (type.length === 0 || !isToken(type)) return null;
  const params = semi >= 0 ? parseParams(text.slice(semi)) : new Map<string, string | null>();
  if (params === null) return null;
  const [pkg, ...templates] = type.split('.');
  const ev: EventHeader = { package: pkg, templates, params };
  const id = params.get('id');
  if (id) ev.id = id;
  return ev;
}

export interface SubscriptionState {
  /** 'active' | 'pending' | 'terminated' or an extension value */
  state: string;
  expires?: number;
  reason?: string;
  retryAfter?: number;
  params: Params;
}

/** RFC 6665 §8.2.3 Subscription-State. */
export function parseSubscriptionState(text: string): SubscriptionState | null {
  const semi = text.indexOf(';');
  const state = (semi >= 0 ? text.slice(0, semi) : text).trim().toLowerCase();
  if (!isToken(state)) return null;
  const params = semi >= 0 ? parseParams(text.slice(semi)) : new Map<string, string | null>();
  if (params === null) return null;
  const out: SubscriptionState = { state, params };
  const e = params.get('expires');
  if (e != null) out.expires = parseExpires(e) ?? undefined;
  const r = params.get('reason');
  if (r != null) out.reason = r.toLowerCase();
  const ra = params.get('retry-after');
  if (ra != null) out.retryAfter = parseExpires(ra) ?? undefined;
  return out;
}

export function formatSubscriptionState(s: { state: string; expires?: number; reason?: string; retryAfter?: number }): string {
  let out = s.state;
  if (s.reason !== undefined) out += `;reason=${s.reason}`;
  if (s.expires !== undefined) out += `;expires=${s.expires}`;
  if (s.retryAfter !== undefined) out += `;retry-after=${s.retryAfter}`;
  return out;
}

/* ---- message-level accessors (lazy: parse the raw value on each call) ---- */

export function getTopVia(msg: SipMessage): Via | null {
  const v = msg.headers.first('via');
  return v === undefined ? null : parseVia(v);
}
export function getVias(msg: SipMessage): Via[] {
  return msg.headers.getAll('via').map(parseVia).filter((v): v is Via => v !== null);
}
export function getCSeq(msg: SipMessage): CSeq | null {
  const v = msg.headers.get('cseq');
  return v === undefined ? null : parseCSeq(v);
}
export function getCallId(msg: SipMessage): string | undefined {
  return msg.headers.get('call-id')?.trim();
}
export function getFrom(msg: SipMessage): NameAddr | null {
  const v = msg.headers.get('from');
  return v === undefined ? null : parseNameAddr(v);
}
export function getTo(msg: SipMessage): NameAddr | null {
  const v = msg.headers.get('to');
  return v === undefined ? null : parseNameAddr(v);
}
/** Contact values (name-addrs); `*` is returned as `{ uri: '*' }`. */
export function getContacts(msg: SipMessage): NameAddr[] {
  return msg.headers.getAll('contact').map(parseNameAddr).filter((v): v is NameAddr => v !== null);
}
export function getExpires(msg: SipMessage): number | null {
  const v = msg.headers.get('expires');
  return v === undefined ? null : parseExpires(v);
}
export function getEvent(msg: SipMessage): EventHeader | null {
  const v = msg.headers.get('event');
  return v === undefined ? null : parseEvent(v);
}
export function getSubscriptionState(msg: SipMessage): SubscriptionState | null {
  const v = msg.headers.get('subscription-state');
  return v === undefined ? null : parseSubscriptionState(v);
}
