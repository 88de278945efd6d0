/**
 * Requests the transaction layer builds from an INVITE: the ACK for a non-2xx final response
 * (RFC 3261 §17.1.1.3) and CANCEL (RFC 3261 §9.1). Pure.
 */
import { SipHeaders, getCSeq, type SipRequest, type SipResponse } from '../message/index.js';
import { SipUsageError } from '../errors.js';

function copyBase(invite: SipRequest, method: 'ACK' | 'CANCEL', to: string): SipRequest {
  const src = invite.headers;
  const cseq = getCSeq(invite);
  if (cseq === null) throw new SipUsageError('INVITE without CSeq');
  const h = new SipHeaders();
  // "The ACK MUST contain a single Via header field, and this MUST be equal to the top Via header field of the original request"
  h.append('Via', src.first('via') ?? '');
  h.append('Max-Forwards', '70');
  h.append('From', src.get('from') ?? '');
  h.append('To', to);
  h.append('Call-ID', src.get('call-id') ?? '');
  // "The CSeq header field in the ACK MUST contain the same value for the sequence number as was present in the original request, but the method parameter MUST be equal to "ACK""
  h.append('CSeq', `${cseq.seq} ${method}`);
  // "If the INVITE request whose response is being acknowledged had Route header fields, those header fields MUST appear in the ACK"
  for (let i = 0; i < src.keys.length; i++) if (src.keys[i] === 'route') h.append(src.names[i], src.values[i]);
  return { kind: 'request', method, uri: invite.uri, headers: h, body: Buffer.alloc(0) };
}

/** RFC 3261 §17.1.1.3: "The To header field in the ACK MUST equal the To header field in the response being acknowledged". */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  return copyBase(invite, 'ACK', response.headers.get('to') ?? invite.headers.get('to') ?? '');
}

/** RFC 3261 §9.1: CANCEL copies Request-URI, Call-ID, To, CSeq number, From and the top Via of the INVITE. */
export function createCancel(invite: SipRequest): SipRequest {
  return copyBase(invite, 'CANCEL', invite.headers.get('to') ?? '');
}
