/**
 * PUBLISH requests as values (RFC 3903 §4) and answers read back into `PublishAnswer`s.
 *
 * Rule 1: PUBLISH is out of dialog: Request-URI and To name the presentity, From is the publisher
 *         with a tag, `Event` is mandatory; Via is added by the stack when sent.
 * Rule 2: one Call-ID per publication with increasing CSeq is allowed (RFC 3903 does not require a
 *         new Call-ID per request); the caller owns the counters.
 */
import { createRequest, getExpires, parseExpires, type SipRequest, type SipResponse } from '../message/index.js';
import type { PublishAnswer, PublishOperation } from './publication.js';

export interface PublishAddressing {
  /** presentity AOR, e.g. `sip:alice@acme.test` (To) */
  readonly aor: string;
  /** Request-URI (default `aor`); e.g. the AOR with the IM server's host:port */
  readonly requestUri?: string;
  /** publisher (From); default `aor` */
  readonly from?: string;
  readonly fromTag: string;
  readonly callId: string;
  readonly cseq: number;
  /** event package: `presence`, `dialog` */
  readonly event: string;
  /** extra headers (e.g. Route, User-Agent) */
  readonly extraHeaders?: ReadonlyArray<readonly [string, string]>;
}

/** Builds the SIP PUBLISH for an operation (Rule 1; RFC 3903 §4.3–§4.6 header table). */
export function createPublishRequest(op: PublishOperation, at: PublishAddressing): SipRequest {
  const headers: [string, string][] = [
    ['Max-Forwards', '70'],
    ['From', `<${at.from ?? at.aor}>;tag=${at.fromTag}`],
    ['To', `<${at.aor}>`],
    ['Call-ID', at.callId],
    ['CSeq', `${at.cseq} PUBLISH`],
    ['Event', at.event],
    ['Expires', String(op.expires)],
  ];
  if (op.ifMatch !== undefined) headers.push(['SIP-If-Match', op.ifMatch]);
  for (const h of at.extraHeaders ?? []) headers.push([h[0], h[1]]);
  if (op.body !== undefined) headers.push(['Content-Type', op.body.contentType]);
  return createRequest({ method: 'PUBLISH', uri: at.requestUri ?? at.aor, headers, body: op.body?.text });
}

/** Reads status, SIP-ETag, Expires, Min-Expires and Retry-After from a final answer. */
export function readPublishResponse(res: SipResponse): PublishAnswer {
  const etag = res.headers.get('sip-etag')?.trim();
  const expires = getExpires(res) ?? undefined;
  const minText = res.headers.get('min-expires');
  const minExpires = minText !== undefined ? parseExpires(minText) ?? undefined : undefined;
  const raText = res.headers.get('retry-after');
  const retryAfter = raText !== undefined ? parseExpires(raText.split(/[;(]/)[0]) ?? undefined : undefined;
  return {
    status: res.status,
    ...(etag ? { etag } : {}),
    ...(expires !== undefined ? { expires } : {}),
    ...(minExpires !== undefined ? { minExpires } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  };
}
