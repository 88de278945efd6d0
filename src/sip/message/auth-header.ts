/**
 * WWW-Authenticate / Proxy-Authenticate / Authorization / Proxy-Authorization values
 * (RFC 3261 §20.27, §25.1 `challenge`/`credentials`; RFC 7616 §3.3, §3.4).
 *
 * Rule 1: parameter names are lower-cased; quoted values unquoted.
 * Rule 2: parse returns null on malformed input.
 */
import { parseParams, quote } from './params.js';

export interface AuthHeader {
  /** e.g. `Digest` */
  scheme: string;
  params: Map<string, string | null>;
}

export function parseAuthHeader(text: string): AuthHeader | null {
  const m = /^\s*([A-Za-z0-9\-._]+)\s+(.*)$/s.exec(text);
  if (m === null) return null;
  const params = parseParams(m[2], ',');
  return params === null ? null : { scheme: m[1], params };
}

/** Params written unquoted per RFC 7616 (algorithm, qop in credentials, nc, stale). */
const UNQUOTED = new Set(['algorithm', 'nc', 'stale']);

/** Format; `qopUnquoted` for credentials (RFC 7616 §3.4: `qop=auth`), quoted list in challenges. */
export function formatAuthHeader(h: { scheme: string; params: Iterable<[string, string | null | undefined]> }, credentials = false): string {
  const parts: string[] = [];
  for (const [k, v] of h.params) {
    if (v === undefined) continue;
    if (v === null) parts.push(k);
    else if (UNQUOTED.has(k) || (credentials && k === 'qop')) parts.push(`${k}=${v}`);
    else parts.push(`${k}=${quote(v)}`);
  }
  return `${h.scheme} ${parts.join(', ')}`;
}
