/**
 * SIP/SIPS URI parse/format (RFC 3261 §19.1), including IPv6 references (`[2001:db8::1]`),
 * user/password, `;params` and `?headers`. Other schemes (tel:, urn:) parse as `scheme` + `opaque`.
 *
 * Rule 1: parse never throws; malformed input yields null.
 * Rule 2: `host` keeps IPv6 brackets, so `formatUri(parseUri(s))` round-trips.
 */
import { parseParams, formatParams, type Params } from './params.js';

export interface SipUri {
  scheme: string;
  user?: string;
  password?: string;
  /** host name, IPv4 literal, or bracketed IPv6 reference */
  host: string;
  port?: number;
  params: Params;
  /** `?h=v&h2=v2`, raw */
  headers?: string;
  /** for non-SIP schemes: everything after `scheme:` */
  opaque?: string;
}

/** Parse a URI; returns null when malformed. */
export function parseUri(text: string): SipUri | null {
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const scheme = text.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+\-.]*$/.test(scheme)) return null;
  const rest = text.slice(colon + 1);
  if (scheme !== 'sip' && scheme !== 'sips') {
    return rest.length > 0 ? { scheme, host: '', params: new Map(), opaque: rest } : null;
  }
  const q = rest.indexOf('?');
  const main = q >= 0 ? rest.slice(0, q) : rest;
  const headers = q >= 0 ? rest.slice(q + 1) : undefined;
  const at = main.lastIndexOf('@');
  const userinfo = at >= 0 ? main.slice(0, at) : undefined;
  const hostpart = at >= 0 ? main.slice(at + 1) : main;
  const semi = hostpart.indexOf(';');
  const hostport = semi >= 0 ? hostpart.slice(0, semi) : hostpart;
  const params = semi >= 0 ? parseParams(hostpart.slice(semi)) : new Map<string, string | null>();
  const hp = parseHostPort(hostport);
  if (hp === null || params === null) return null;
  const uri: SipUri = { scheme, host: hp.host, params };
  if (hp.port !== undefined) uri.port = hp.port;
  if (headers !== undefined) uri.headers = headers;
  if (userinfo !== undefined) {
    if (userinfo.length === 0) return null;
    const pc = userinfo.indexOf(':');
    uri.user = pc >= 0 ? userinfo.slice(0, pc) : userinfo;
    if (pc >= 0) uri.password = userinfo.slice(pc + 1);
  }
  return uri;
}

/** Parse `host[:port]` with IPv6 brackets; null when malformed. */
export function parseHostPort(text: string): { host: string; port?: number } | null {
  const t = text.trim();
  let host: string;
  let portText: string | undefined;
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0) return null;
    host = t.slice(0, close + 1);
    const after = t.slice(close + 1);
    if (after.length > 0) {
      if (after[0] !== ':') return null;
      portText = after.slice(1);
    }
    if (!/^\[[0-9A-Fa-f:.]+\]$/.test(host)) return null;
  } else {
    const c = t.indexOf(':');
    host = c >= 0 ? t.slice(0, c) : t;
    portText = c >= 0 ? t.slice(c + 1) : undefined;
    if (!/^[A-Za-z0-9\-._]+$/.test(host)) return null;
  }
  if (portText === undefined) return { host };
  if (!/^[0-9]{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  return port > 65535 ? null : { host, port };
}

/** Format a URI back to text. */
export function formatUri(uri: SipUri): string {
  if (uri.opaque !== undefined) return `${uri.scheme}:${uri.opaque}`;
  let s = uri.scheme + ':';
  if (uri.user !== undefined) s += uri.user + (uri.password !== undefined ? ':' + uri.password : '') + '@';
  s += uri.host;
  if (uri.port !== undefined) s += ':' + uri.port;
  s += formatParams(uri.params);
  if (uri.headers !== undefined) s += '?' + uri.headers;
  return s;
}

/** Strip IPv6 brackets: `[::1]` → `::1` (for socket APIs). */
export function unbracketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Add IPv6 brackets when needed: `::1` → `[::1]` (for SIP text). */
export function bracketHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
