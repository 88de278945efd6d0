/**
 * SIP message parser (RFC 3261 §7, §18.3, §20). Bytes in, `SipMessage` or `SipParseError` out.
 *
 * Rule 1: never throws on peer input; every malformed message yields a `SipParseError` with the
 *         status to answer (400, 505 …) and, when the header section was readable, the partial
 *         message so the transport can build that answer.
 * Rule 2: lazy: only the start line, Content-Length, top Via, CSeq and the presence of
 *         From/To/Call-ID are checked eagerly; everything else stays a raw string.
 * Rule 3: header folding (RFC 3261 §7.3.1 LWS) is unfolded to one space; compact names are kept as
 *         written and resolved on lookup.
 */
import { SipHeaders } from './sip-headers.js';
import type { SipMessage, SipRequest, SipResponse } from './sip-message.js';
import { peekCSeq, peekFrom, peekTo, peekTopVia } from './peek-headers.js';
import { TOKEN_CHARS, isToken } from './params.js';

export interface SipParseError {
  readonly kind: 'parse-error';
  /** status to answer with (style.md `statusHint`) */
  readonly status: number;
  readonly reason: string;
  /** the message as far as it could be read (start line + headers), when it could */
  readonly partial?: SipMessage;
}

export interface ParseOptions {
  /** framed from a stream: Content-Length is mandatory (RFC 3261 §18.3) */
  stream?: boolean;
  /** max header fields (default 256) */
  maxHeaders?: number;
}


function fail(status: number, reason: string, partial?: SipMessage): SipParseError {
  return partial ? { kind: 'parse-error', status, reason, partial } : { kind: 'parse-error', status, reason };
}

export function isParseError(x: SipMessage | SipParseError): x is SipParseError {
  return x.kind === 'parse-error';
}

/** Parse one message from a datagram / WS frame / framed stream chunk. */
export function parseMessage(data: Buffer | string, opts: ParseOptions = {}): SipMessage | SipParseError {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let start = 0;
  while (start + 1 < buf.length && buf[start] === 13 && buf[start + 1] === 10) start += 2;
  let headEnd = buf.indexOf(CRLF_CRLF, start);
  let bodyStart: number;
  if (headEnd < 0) {
    if (opts.stream || !(buf.length >= 2 && buf[buf.length - 2] === 13 && buf[buf.length - 1] === 10)) {
      return fail(400, 'Missing empty line after headers');
    }
    headEnd = buf.length - 2;
    bodyStart = buf.length;
  } else bodyStart = headEnd + 4;
  const head = buf.toString('utf8', start, headEnd);
  const firstEnd = head.indexOf('\r\n');
  const startLine = firstEnd < 0 ? head : head.slice(0, firstEnd);
  const headers = new SipHeaders();
  const herr = firstEnd < 0 ? null : readHeaders(head, firstEnd + 2, headers, opts.maxHeaders ?? 256);
  const msg = parseStartLine(startLine, headers);
  if ('status' in msg && msg.kind === 'parse-error') return msg;
  const m = msg as SipMessage;
  if (herr !== null) return fail(400, herr, m);
  const bodyErr = attachBody(m, buf, bodyStart, opts.stream === true);
  if (bodyErr !== null) return fail(bodyErr.status, bodyErr.reason, m);
  const verr = validateMandatory(m);
  return verr === null ? m : fail(400, verr, m);
}

function parseStartLine(line: string, headers: SipHeaders): SipMessage | SipParseError {
  if (line.startsWith('SIP/') || line.startsWith('sip/')) {
    const m = /^SIP\/(\d+\.\d+) (\d{3}) ?(.*)$/i.exec(line);
    if (m === null) return fail(400, 'Malformed status line');
    const status = Number(m[2]);
    if (status < 100 || status > 699) return fail(400, 'Status code out of range');
    const res: SipResponse = { kind: 'response', status, reason: m[3], headers, body: EMPTY };
    return m[1] === '2.0' ? res : fail(505, 'Version Not Supported', res);
  }
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 === sp1) return fail(400, 'Malformed request line');
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) return fail(400, 'Malformed method');
  const req: SipRequest = { kind: 'request', method, uri, headers, body: EMPTY };
  if (uri.length === 0 || /[\s<>]/.test(uri) || uri.indexOf(':') <= 0) return fail(400, 'Malformed Request-URI', req);
  if (version === 'SIP/2.0') return req;
  if (!/^SIP\/\d+\.\d+$/i.test(version)) return fail(400, 'Malformed SIP version', req);
  if (version.slice(4) !== '2.0') return fail(505, 'Version Not Supported', req);
  return req;
}

const isWsp = (c: number): boolean => c === 32 || c === 9;

/**
 * Split the header block into fields; returns an error reason or null. Works on offsets into `head`
 * and slices each name and value once; only a folded field (§7.3.1) is assembled into a new string.
 */
function readHeaders(head: string, from: number, headers: SipHeaders, max: number): string | null {
  let pos = from;
  let err: string | null = null;
  const n = head.length;
  while (pos < n) {
    // the line ends at the next LF when a CR precedes it; a bare CR or LF before that CRLF makes the field
    // malformed (checked by addField). Two searches per line: the LF, and the CR that must sit just before it.
    const lf = head.indexOf('\n', pos);
    let end: number;
    let bare: boolean;
    if (lf > pos && head.charCodeAt(lf - 1) === 13) {
      end = lf - 1;
      bare = head.indexOf('\r', pos) < end;
    } else {
      end = head.indexOf('\r\n', pos);
      if (end < 0) end = n;
      const cr = head.indexOf('\r', pos);
      bare = (lf >= 0 && lf < end) || (cr >= 0 && cr < end);
    }
    const next = end + 2;
    if (next < n && isWsp(head.charCodeAt(next))) {
      const r = readFoldedField(head, pos, end);
      pos = r.next;
      err = addField(r.line, 0, r.line.length, headers, max, true) ?? err;
    } else {
      err = addField(head, pos, end, headers, max, bare) ?? err;
      pos = next;
    }
    if (err === 'Too many headers') return err;
  }
  return err;
}

/** RFC 3261 §7.3.1: "a header field can be extended over multiple lines by preceding each extra line with SP or HTAB" */
function readFoldedField(head: string, pos: number, end: number): { line: string; next: number } {
  let line = head.slice(pos, end);
  let at = end + 2;
  while (at < head.length && isWsp(head.charCodeAt(at))) {
    let e2 = head.indexOf('\r\n', at);
    if (e2 < 0) e2 = head.length;
    line = line.trimEnd() + ' ' + head.slice(at, e2).trim();
    at = e2 + 2;
  }
  return { line, next: at };
}

/**
 * One `name: value` field in `text[start, end)`; returns an error reason (the field is skipped) or null.
 * `mayHoldBreak`: the caller saw a CR or LF inside the range (or unfolded it), so the value is checked.
 */
function addField(text: string, start: number, end: number, headers: SipHeaders, max: number, mayHoldBreak: boolean): string | null {
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] === 0) break;
  }
  const nameEnd = i;
  while (i < end && isWsp(text.charCodeAt(i))) i++;
  if (i >= end || text.charCodeAt(i) !== 58) {
    const colon = text.indexOf(':', start);
    return colon < 0 || colon >= end ? 'Malformed header line' : 'Malformed header name';
  }
  if (nameEnd === start) return 'Malformed header line';
  if (headers.size >= max) return 'Too many headers';
  let v = i + 1;
  while (v < end && isWsp(text.charCodeAt(v))) v++;
  let e = end;
  while (e > v && isWsp(text.charCodeAt(e - 1))) e--;
  const value = text.slice(v, e);
  // RFC 3261 §25.1: a value's only line breaks are folding (CRLF + WSP, unfolded above); a bare CR or LF
  // would be echoed into our responses and NOTIFYs, where a lenient peer could read it as a new field
  if (mayHoldBreak && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) return 'Line break inside a header value';
  headers.append(text.slice(start, nameEnd), value);
  return null;
}

function attachBody(m: SipMessage, buf: Buffer, bodyStart: number, stream: boolean): { status: number; reason: string } | null {
  const { keys, values } = m.headers;
  let clText: string | undefined;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== 'content-length') continue;
    if (clText !== undefined && values[i] !== clText) return { status: 400, reason: 'Conflicting Content-Length' };
    clText = values[i];
  }
  const available = buf.length - bodyStart;
  if (clText === undefined) {
    if (stream) return { status: 400, reason: 'Missing Content-Length on stream transport' };
    m.body = available > 0 ? buf.subarray(bodyStart) : EMPTY;
    return null;
  }
  if (!/^\d{1,10}$/.test(clText)) return { status: 400, reason: 'Malformed Content-Length' };
  const cl = Number(clText);
  // RFC 3261 §18.3: "If a response … [or request] … is smaller than the Content-Length … MUST be discarded"
  if (cl > available) return { status: 400, reason: 'Content-Length larger than message body' };
  m.body = cl > 0 ? buf.subarray(bodyStart, bodyStart + cl) : EMPTY;
  return null;
}

function validateMandatory(m: SipMessage): string | null {
  const h = m.headers;
  // parsed through the memo (peek-headers.ts), so the transaction layer reads these for free
  const via = peekTopVia(m);
  if (via === null) return h.getByKey('via') === undefined ? 'Missing Via' : 'Malformed Via';
  const cseq = peekCSeq(m);
  if (cseq === null) return h.getByKey('cseq') === undefined ? 'Missing CSeq' : 'Malformed CSeq';
  const callId = h.getByKey('call-id');
  if (callId === undefined || callId.length === 0 || /\s/.test(callId)) return 'Missing or malformed Call-ID';
  if (peekFrom(m) === null) return 'Missing or malformed From';
  if (peekTo(m) === null) return 'Missing or malformed To';
  if (m.kind === 'request') {
    if (cseq.method !== m.method) return 'CSeq method does not match request method';
    const mf = h.getByKey('max-forwards');
    if (mf !== undefined && !/^\d{1,10}$/.test(mf)) return 'Malformed Max-Forwards';
  }
  return null;
}

const EMPTY = Buffer.alloc(0);
const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');
