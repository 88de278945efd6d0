/**
 * SIP serializer (RFC 3261 §7). Writes the start line, the header fields in order (names as given)
 * and a Content-Length computed from the body (RFC 3261 §20.14: mandatory on streams, so always written).
 */
import type { SipMessage } from './sip-message.js';

/** Serialize to text (header section + body decoded as UTF-8; use `serializeMessage` for bytes). */
export function serializeHead(msg: SipMessage): string {
  let s = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  const { names, keys, values } = msg.headers;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === 'content-length') continue;
    s += names[i] + ': ' + values[i] + '\r\n';
  }
  return s + 'Content-Length: ' + msg.body.length + '\r\n\r\n';
}

/** Serialize a message to wire bytes. */
export function serializeMessage(msg: SipMessage): Buffer {
  const head = serializeHead(msg);
  const body = msg.body;
  if (body.length === 0) return Buffer.from(head, 'utf8');
  const headLen = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLen + body.length);
  out.write(head, 0, 'utf8');
  body.copy(out, headLen);
  return out;
}

/** Serialize to a string (for WebSocket text frames and logs). */
export function serializeToString(msg: SipMessage): string {
  return serializeHead(msg) + msg.body.toString('utf8');
}
