/**
 * In-dialog request building and checking (RFC 3261 §12.2).
 */
import {
  SipHeaders, createRequest, getCSeq, getContacts, parseNameAddr, tagOf, type SipRequest, type SipResponse,
} from '../message/index.js';
import type { DialogState } from './dialog-state.js';

export interface InDialogOptions {
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Buffer | string;
  /** CSeq to use instead of localSeq + 1 (ACK and CANCEL reuse the INVITE's) */
  cseq?: number;
}

/**
 * Build a request inside the dialog and advance `dialog.localSeq` (§12.2.1.1). Loose routing:
 * Request-URI = remote target, Route = route set; strict routing (first route without `lr`):
 * Request-URI = first route, Route = the rest + remote target.
 */
export function createRequestInDialog(dialog: DialogState, method: string, opts: InDialogOptions = {}): SipRequest {
  const seq = opts.cseq ?? (method === 'ACK' || method === 'CANCEL' ? dialog.localSeq : ++dialog.localSeq);
  let uri = dialog.remoteTarget;
  let routes = dialog.routeSet;
  if (routes.length > 0) {
    const first = parseNameAddr(routes[0]);
    if (first !== null && !/;lr(=|;|$|>)/i.test(first.uri)) {
      // "the UAC MUST place the first URI from the route set into the Request-URI, stripping any parameters that are not allowed in a Request-URI"
      uri = first.uri;
      routes = [...routes.slice(1), `<${dialog.remoteTarget}>`];
    }
  }
  const h = new SipHeaders();
  for (const r of routes) h.append('Route', r);
  h.append('Max-Forwards', '70');
  h.append('From', `${dialog.localUri};tag=${dialog.localTag}`);
  h.append('To', `${dialog.remoteUri};tag=${dialog.remoteTag}`);
  h.append('Call-ID', dialog.callId);
  h.append('CSeq', `${seq} ${method}`);
  for (const [n, v] of opts.headers ?? []) h.append(n, v);
  return createRequest({ method, uri, headers: h, body: opts.body });
}

/** The ACK for a 2xx to our INVITE (§13.2.2.4): in the dialog, CSeq number of the INVITE, new branch (added by the stack). */
export function createAckFor2xx(dialog: DialogState, invite: SipRequest, opts: InDialogOptions = {}): SipRequest {
  return createRequestInDialog(dialog, 'ACK', { ...opts, cseq: getCSeq(invite)?.seq ?? dialog.localSeq });
}

export type InDialogCheck = { ok: true } | { ok: false; status: number; reason: string };

/**
 * Check and apply an incoming in-dialog request (§12.2.2): CSeq must increase ("If the remote
 * sequence number was not empty, but the sequence number of the request is lower … the UAS SHOULD
 * generate a 500"), target refresh for INVITE/UPDATE/NOTIFY/SUBSCRIBE Contact.
 */
export function receiveRequestInDialog(dialog: DialogState, req: SipRequest): InDialogCheck {
  if (tagOf(req.headers.get('to')) !== dialog.localTag || tagOf(req.headers.get('from')) !== dialog.remoteTag) {
    return { ok: false, status: 481, reason: 'Call/Transaction Does Not Exist' };
  }
  const cseq = getCSeq(req);
  if (cseq === null) return { ok: false, status: 400, reason: 'Malformed CSeq' };
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    if (dialog.remoteSeq !== null && cseq.seq <= dialog.remoteSeq) return { ok: false, status: 500, reason: 'CSeq out of order' };
    dialog.remoteSeq = cseq.seq;
  }
  refreshTarget(dialog, req);
  return { ok: true };
}

/** Target refresh from a 2xx to a target-refresh request we sent (§12.2.1.2). */
export function receiveResponseInDialog(dialog: DialogState, res: SipResponse): void {
  if (res.status >= 200 && res.status < 300) {
    dialog.state = 'confirmed';
    refreshTarget(dialog, res);
  }
}

const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

function refreshTarget(dialog: DialogState, msg: SipRequest | SipResponse): void {
  const method = msg.kind === 'request' ? msg.method : getCSeq(msg)?.method ?? '';
  if (!TARGET_REFRESH.has(method)) return;
  const c = getContacts(msg)[0];
  if (c !== undefined && c.uri !== '*') dialog.remoteTarget = c.uri;
}
