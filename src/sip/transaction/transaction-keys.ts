/**
 * Transaction matching keys (RFC 3261 §17.1.3 client, §17.2.3 server). Pure.
 */
import { BRANCH_MAGIC, peekCSeq, peekFrom, peekTopVia, tagOfView, type SipRequest, type SipResponse } from '../message/index.js';

/**
 * §17.2.3: with the magic cookie, match on branch + sent-by + method ("except for ACK, where the
 * method of the request that created the transaction is INVITE"). Without it (RFC 2543 peers), match on
 * Request-URI, To/From tags, Call-ID, CSeq and top Via.
 */
export function serverKey(req: SipRequest, methodOverride?: string): string | null {
  const via = peekTopVia(req);
  const cseq = peekCSeq(req);
  if (via === null || cseq === null) return null;
  const method = methodOverride ?? (req.method === 'ACK' ? 'INVITE' : req.method);
  const sentBy = `${via.host.toLowerCase()}:${via.port ?? ''}`;
  if (via.branch?.startsWith(BRANCH_MAGIC)) return `${via.branch}|${sentBy}|${method}`;
  const fromTag = tagOfView(peekFrom(req)) ?? '';
  const callId = req.headers.get('call-id') ?? '';
  return `2543|${callId}|${cseq.seq}|${fromTag}|${sentBy}|${via.branch ?? ''}|${method}`;
}

/** The two parts of a response's client transaction key (§17.1.3: top Via branch, CSeq method). */
export function clientKeyParts(res: SipResponse): { readonly branch: string; readonly method: string } | null {
  const via = peekTopVia(res);
  const cseq = peekCSeq(res);
  if (via?.branch === undefined || cseq === null) return null;
  return { branch: via.branch, method: cseq.method };
}

/** A client transaction key from its parts. */
export function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

export function clientKeyOfRequest(req: SipRequest): string | null {
  const via = peekTopVia(req);
  if (via?.branch === undefined) return null;
  return `${via.branch}|${req.method === 'ACK' ? 'INVITE' : req.method}`;
}
