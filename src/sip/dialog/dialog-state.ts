/**
 * Dialogs (RFC 3261 §12) as plain, JSON-serializable state: the presence notifier persists them
 * across restarts (`JSON.stringify(dialog)` / `restoreDialog(JSON.parse(text))`), and keeps one
 * per subscription, so the state is a handful of strings and numbers — no closures, no Maps.
 *
 * Rule 1: functions here are pure; they read messages and return new requests / updated state.
 * Rule 2: dialogs are created by INVITE (UAS from the request + our 2xx, UAC from a 2xx) and by
 *         SUBSCRIBE (RFC 6665 §4.2.1: our 2xx to SUBSCRIBE; §4.1.2.4: the subscriber's dialog from
 *         the first NOTIFY).
 */
import {
  getCSeq, getContacts, parseNameAddr, formatNameAddr, tagOf, SipHeaders,
  type SipRequest, type SipResponse,
} from '../message/index.js';
import type { Flow } from '../transport/index.js';

export interface DialogState {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** local party name-addr without tag (From for a UAC, To for a UAS) */
  localUri: string;
  remoteUri: string;
  /** URI from the peer's Contact (RFC 3261 §12.1.1) */
  remoteTarget: string;
  /** Route values to put on requests, in order */
  routeSet: string[];
  /** last CSeq we used; the next request uses localSeq + 1 */
  localSeq: number;
  /** last CSeq the peer used, null until it sent a request */
  remoteSeq: number | null;
  /** RFC 3261 §12.1.1: "If the request arrived over TLS, and the Request-URI contained a SIPS URI, the secure flag is set to TRUE" */
  secure: boolean;
  state: 'early' | 'confirmed' | 'terminated';
  /** the flow to send in-dialog requests on (RFC 5626 flow reuse); plain data */
  flow?: Flow;
}

/** `Call-ID;local-tag;remote-tag` — the dialog id (RFC 3261 §12). */
export function dialogId(d: Pick<DialogState, 'callId' | 'localTag' | 'remoteTag'>): string {
  return `${d.callId};${d.localTag};${d.remoteTag}`;
}

/** Dialog id as seen by the receiver of an in-dialog request (local tag = To tag). */
export function dialogIdOfIncoming(req: SipRequest): string | null {
  const callId = req.headers.get('call-id');
  const local = tagOf(req.headers.get('to'));
  const remote = tagOf(req.headers.get('from'));
  return callId && local && remote ? `${callId};${local};${remote}` : null;
}

function stripTag(value: string | undefined): string {
  const na = value === undefined ? null : parseNameAddr(value);
  if (na === null) return value ?? '';
  na.params.delete('tag');
  return formatNameAddr(na);
}

function contactUri(msg: SipRequest | SipResponse): string | undefined {
  return getContacts(msg)[0]?.uri;
}

/** UAS dialog from a dialog-creating request (INVITE, SUBSCRIBE) and our 2xx/1xx carrying a To-tag. */
export function createUasDialog(request: SipRequest, response: SipResponse, flow?: Flow): DialogState | null {
  const localTag = tagOf(response.headers.get('to'));
  const remoteTag = tagOf(request.headers.get('from'));
  const cseq = getCSeq(request);
  const target = contactUri(request);
  if (!localTag || !remoteTag || cseq === null || target === undefined) return null;
  const d: DialogState = {
    callId: request.headers.get('call-id') ?? '',
    localTag, remoteTag,
    localUri: stripTag(request.headers.get('to')),
    remoteUri: stripTag(request.headers.get('from')),
    remoteTarget: target,
    // "The route set MUST be set to the list of URIs in the Record-Route header field from the request, taken in order"
    routeSet: request.headers.getAll('record-route'),
    localSeq: 0,
    remoteSeq: cseq.seq,
    secure: flow?.transport === 'tls' && request.uri.toLowerCase().startsWith('sips:'),
    state: response.status < 200 ? 'early' : 'confirmed',
  };
  if (flow) d.flow = flow;
  return d;
}

/** UAC dialog from our request (INVITE, SUBSCRIBE) and a 1xx/2xx response with a To-tag. */
export function createUacDialog(request: SipRequest, response: SipResponse, flow?: Flow): DialogState | null {
  const localTag = tagOf(request.headers.get('from'));
  const remoteTag = tagOf(response.headers.get('to'));
  const cseq = getCSeq(request);
  const target = contactUri(response);
  if (!localTag || !remoteTag || cseq === null || target === undefined) return null;
  const d: DialogState = {
    callId: request.headers.get('call-id') ?? '',
    localTag, remoteTag,
    localUri: stripTag(request.headers.get('from')),
    remoteUri: stripTag(response.headers.get('to')),
    remoteTarget: target,
    // "The route set MUST be set to the list of URIs in the Record-Route header field from the response, taken in reverse order"
    routeSet: response.headers.getAll('record-route').reverse(),
    localSeq: cseq.seq,
    remoteSeq: null,
    secure: request.uri.toLowerCase().startsWith('sips:'),
    state: response.status < 200 ? 'early' : 'confirmed',
  };
  if (flow) d.flow = flow;
  return d;
}

/** RFC 6665 §4.1.2.4: the subscriber's dialog is created by the first NOTIFY (route set from its Record-Route, in order). */
export function createSubscriberDialog(subscribe: SipRequest, notify: SipRequest, flow?: Flow): DialogState | null {
  const d = createUasDialog(notify, { kind: 'response', status: 200, reason: 'OK', headers: SipHeaders.from([['To', notify.headers.get('to') ?? '']]), body: Buffer.alloc(0) }, flow);
  if (d === null) return null;
  const cseq = getCSeq(subscribe);
  d.localSeq = cseq?.seq ?? 0;
  d.localUri = stripTag(subscribe.headers.get('from'));
  return d;
}

/** Restore a dialog from `JSON.parse(JSON.stringify(dialog))` (validates the shape). */
export function restoreDialog(data: unknown): DialogState | null {
  const d = data as Partial<DialogState> | null;
  if (d === null || typeof d !== 'object') return null;
  const strings = [d.callId, d.localTag, d.remoteTag, d.localUri, d.remoteUri, d.remoteTarget];
  if (!strings.every((s) => typeof s === 'string') || typeof d.localSeq !== 'number' || !Array.isArray(d.routeSet)) return null;
  if (d.remoteSeq !== null && typeof d.remoteSeq !== 'number') return null;
  return { ...(d as DialogState), routeSet: d.routeSet.map(String), secure: d.secure === true, state: d.state ?? 'confirmed' };
}
