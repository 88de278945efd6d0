/**
 * A final response kept for Timer J (completed-non-invite.ts) as only what it does not copy from its
 * request: the status line, the To field with our tag, and the fields the TU added. Via, From, Call-ID
 * and CSeq become markers that a retransmission of the request fills in again — a retransmission is the
 * same request (RFC 3261 §17.2.2), so the text rebuilt is the text first sent, byte for byte. A 200 OK to
 * a SUBSCRIBE shrinks from ~450 characters to ~150, kept 32 s at thousands per second.
 *
 * Rule 1: only a response without a body whose copied fields equal the request's, in order, has a
 *         recipe; anything else is kept whole by the caller.
 * Rule 2: the text rebuilt is `serializeHead`'s: fields in order, no Content-Length but the final
 *         `Content-Length: 0`.
 */
import type { SipRequest, SipResponse } from '../message/index.js';

const MARK = '\u0000';
const COPIED = new Set(['via', 'from', 'call-id', 'cseq']);

/** Rule 1: the recipe of `res` (answering `req`), or null. */
export function responseRecipe(res: SipResponse, req: SipRequest): string | null {
  if (res.body.length !== 0) return null;
  const { names, keys, values } = res.headers;
  const q = req.headers;
  const cursor = new Map<string, number>();
  let out = `SIP/2.0 ${res.status} ${res.reason}`;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k === 'content-length') continue;
    if (!COPIED.has(k)) {
      out += '\r\n' + names[i] + ': ' + values[i];
      continue;
    }
    const j = q.keys.indexOf(k, cursor.get(k) ?? 0);
    if (j < 0 || q.names[j] !== names[i] || q.values[j] !== values[i]) return null;
    cursor.set(k, j + 1);
    out += '\r\n' + MARK + k;
  }
  return out;
}

/** Rule 2: the response text again, its copied fields read from `req`; null if `req` lacks one. */
export function responseFromRecipe(recipe: string, req: SipRequest): string | null {
  const q = req.headers;
  const cursor = new Map<string, number>();
  const lines = recipe.split('\r\n');
  let out = lines[0] + '\r\n';
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.charCodeAt(0) !== 0) {
      out += line + '\r\n';
      continue;
    }
    const k = line.slice(1);
    const j = q.keys.indexOf(k, cursor.get(k) ?? 0);
    if (j < 0) return null;
    cursor.set(k, j + 1);
    out += q.names[j] + ': ' + q.values[j] + '\r\n';
  }
  return out + 'Content-Length: 0\r\n\r\n';
}
