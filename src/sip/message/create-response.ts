/**
 * Build a response to a request (RFC 3261 §8.2.6.2): Via (all, in order), From, To, Call-ID, CSeq
 * copied; "the UAS MUST add a tag to the To header field in the response" when it has none and the
 * response is not a 100 (the caller asks for it with `toTag`).
 */
import { SipHeaders } from './sip-headers.js';
import { defaultReason, type SipRequest, type SipResponse } from './sip-message.js';
import { withTag } from './name-addr.js';
import { peekTo, tagOfView } from './peek-headers.js';
import { generateTag } from './random-id.js';

export interface CreateResponseOptions {
  /** a To-tag to set, or `true` to draw a random one (ignored when the request's To has a tag) */
  toTag?: string | true;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Buffer | string;
}

const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'];
/** shared: bodies are treated as immutable (sip-message.ts) */
const EMPTY_BODY = Buffer.alloc(0);

export function createResponse(request: SipRequest, status: number, reason?: string, opts: CreateResponseOptions = {}): SipResponse {
  const h = new SipHeaders();
  const src = request.headers;
  h.shareMemo(src); // Via, CSeq, From are copied verbatim: their parses carry over
  for (let i = 0; i < src.keys.length; i++) {
    const k = src.keys[i];
    if (COPIED.includes(k)) h.append(src.names[i], src.values[i]);
  }
  // RFC 3261 §8.2.6.2: "the timestamp header field MUST be copied" for 100
  if (status === 100) {
    const ts = src.get('timestamp');
    if (ts !== undefined) h.append('Timestamp', ts);
  }
  if (opts.toTag !== undefined && status !== 100) {
    const to = h.get('to');
    const view = peekTo(request);
    if (to !== undefined && tagOfView(view) === undefined) {
      const tag = opts.toTag === true ? generateTag() : opts.toTag;
      // with no tag parameter at all, `;tag=` goes at the end: header params follow the URI (§20.10)
      h.set('To', view !== null && !view.params.has('tag') ? `${to};tag=${tag}` : withTag(to, tag));
    }
  }
  for (const [n, v] of opts.headers ?? []) h.append(n, v);
  const body = opts.body === undefined ? EMPTY_BODY : typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
  return { kind: 'response', status, reason: reason ?? defaultReason(status), headers: h, body };
}
