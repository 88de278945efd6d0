/**
 * SIP message values (RFC 3261 §7): requests and responses as plain data a test can inspect
 * before any I/O happens.
 *
 * Rule 1: `headers` keep raw values in order; typed accessors in `header-parsers.ts` parse on demand.
 * Rule 2: `body` is bytes; Content-Length is recomputed by the serializer, never trusted from callers.
 */
import { SipHeaders } from './sip-headers.js';

export interface SipRequest {
  readonly kind: 'request';
  method: string;
  /** Request-URI, raw text */
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  readonly kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

export type HeaderInit = SipHeaders | ReadonlyArray<readonly [string, string]>;

function toHeaders(h: HeaderInit | undefined): SipHeaders {
  if (h === undefined) return new SipHeaders();
  return h instanceof SipHeaders ? h : SipHeaders.from(h);
}

function toBody(b: Buffer | string | undefined): Buffer {
  if (b === undefined) return EMPTY_BODY;
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
}

const EMPTY_BODY = Buffer.alloc(0);

/** Build a request value. */
export function createRequest(init: {
  method: string;
  uri: string;
  headers?: HeaderInit;
  body?: Buffer | string;
}): SipRequest {
  return { kind: 'request', method: init.method, uri: init.uri, headers: toHeaders(init.headers), body: toBody(init.body) };
}

/** Build a response value (see `createResponse` in `create-response.ts` to answer a request). */
export function createResponseMessage(init: {
  status: number;
  reason: string;
  headers?: HeaderInit;
  body?: Buffer | string;
}): SipResponse {
  return { kind: 'response', status: init.status, reason: init.reason, headers: toHeaders(init.headers), body: toBody(init.body) };
}

/** Deep copy (headers cloned, body shared: bodies are treated as immutable). */
export function cloneMessage<M extends SipMessage>(msg: M): M {
  return { ...msg, headers: msg.headers.clone() };
}

export function isRequest(msg: SipMessage): msg is SipRequest {
  return msg.kind === 'request';
}

/** RFC 3261 §21 default reason phrases. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 204: 'No Notification', 300: 'Multiple Choices', 301: 'Moved Permanently',
  302: 'Moved Temporarily', 305: 'Use Proxy', 380: 'Alternative Service', 400: 'Bad Request',
  401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 410: 'Gone', 412: 'Conditional Request Failed', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme',
  420: 'Bad Extension', 421: 'Extension Required', 423: 'Interval Too Brief',
  480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected',
  483: 'Too Many Hops', 484: 'Address Incomplete', 485: 'Ambiguous', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 489: 'Bad Event', 491: 'Request Pending',
  493: 'Undecipherable', 500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Server Time-out', 505: 'Version Not Supported',
  513: 'Message Too Large', 600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

export function defaultReason(status: number): string {
  return REASON_PHRASES[status] ?? (status < 200 ? 'Provisional' : status < 300 ? 'OK' : 'Error');
}
