/**
 * name-addr / addr-spec values of From, To, Contact, Route, Record-Route (RFC 3261 §20.10, §25.1).
 *
 * Rule 1: "If the URI is not enclosed in angle brackets, any semicolon-delimited parameters are
 *         header-parameters, not URI parameters" (RFC 3261 §20.10) — we follow that exactly.
 * Rule 2: parse never throws; malformed input yields null.
 */
import { parseParams, readQuoted, formatParams, quote, isToken, type Params } from './params.js';

export interface NameAddr {
  display?: string;
  /** the URI, raw text (parse it with `parseUri` when needed) */
  uri: string;
  /** header parameters (tag, expires, q, lr is a URI param and stays inside `uri`) */
  params: Params;
  /** true when written with angle brackets */
  angle: boolean;
}

/** Parse one name-addr or addr-spec (one element of a list header). */
export function parseNameAddr(text: string): NameAddr | null {
  const t = text.trim();
  if (t.length === 0) return null;
  let display: string | undefined;
  let i = 0;
  if (t[0] === '"') {
    const q = readQuoted(t, 0);
    if (q === null) return null;
    display = q.value;
    i = q.end;
    while (t[i] === ' ' || t[i] === '\t') i++;
    if (t[i] !== '<') return null;
  }
  const lt = t.indexOf('<', i);
  if (lt >= 0) return parseAngle(t, lt, display);
  if (display !== undefined) return null;
  const semi = t.indexOf(';');
  const uri = (semi >= 0 ? t.slice(0, semi) : t).trim();
  if (uri.length === 0 || /[\s<>"]/.test(uri)) return null;
  if (uri !== '*' && uri.indexOf(':') <= 0) return null;
  const params = semi >= 0 ? parseParams(t.slice(semi)) : new Map<string, string | null>();
  return params === null ? null : { uri, params, angle: false };
}

function parseAngle(t: string, lt: number, display: string | undefined): NameAddr | null {
  const gt = t.indexOf('>', lt);
  if (gt < 0) return null;
  if (display === undefined) {
    const d = t.slice(0, lt).trim();
    if (d.length > 0) {
      if (!d.split(/[ \t]+/).every(isToken)) return null;
      display = d;
    }
  }
  const uri = t.slice(lt + 1, gt).trim();
  if (uri.length === 0 || uri.indexOf(':') <= 0 || /\s/.test(uri)) return null;
  const tail = t.slice(gt + 1).trim();
  if (tail.length > 0 && tail[0] !== ';') return null;
  const params = parseParams(tail);
  if (params === null) return null;
  const na: NameAddr = { uri, params, angle: true };
  if (display !== undefined) na.display = display;
  return na;
}

/** Format a name-addr; always uses angle brackets when params or display are present or the URI has `;`/`?`/`,`. */
export function formatNameAddr(na: NameAddr): string {
  const needAngle = na.angle || na.display !== undefined || /[;?,]/.test(na.uri);
  let s = '';
  if (na.display !== undefined && na.display.length > 0) s += quote(na.display) + ' ';
  s += needAngle ? `<${na.uri}>` : na.uri;
  return s + formatParams(na.params);
}

/** The `tag` parameter of a From/To value, or undefined. */
export function tagOf(headerValue: string | undefined): string | undefined {
  if (headerValue === undefined) return undefined;
  const na = parseNameAddr(headerValue);
  const tag = na?.params.get('tag');
  return tag === null || tag === undefined ? undefined : tag;
}

/** Return the header value with `;tag=` set (replacing an existing tag). */
export function withTag(headerValue: string, tag: string): string {
  const na = parseNameAddr(headerValue);
  if (na === null) return `${headerValue};tag=${tag}`;
  na.params.set('tag', tag);
  return formatNameAddr(na);
}
