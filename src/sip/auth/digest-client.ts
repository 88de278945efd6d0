/**
 * Digest authentication, client side (RFC 3261 §22.2/§22.3, RFC 7616): answer a 401/407 by
 * re-issuing the request with Authorization / Proxy-Authorization, a new CSeq and a new branch.
 * Used by trunks (SUBSCRIBE/PUBLISH) and rigs (REGISTER/INVITE).
 */
import {
  cloneMessage, getCSeq, parseAuthHeader, formatAuthHeader, randomToken, type SipRequest, type SipResponse,
} from '../message/index.js';
import { computeDigestResponse, parseAlgorithm, type DigestAlgorithm } from './digest.js';

export interface DigestCredentials {
  username: string;
  password: string;
  /** only answer challenges of this realm (default: any) */
  realm?: string;
}

/**
 * Build the authenticated retry, or null when no challenge in `response` can be answered
 * (no Digest challenge, unsupported algorithm, other realm). Prefers SHA-256 over MD5.
 */
export function answerChallenge(request: SipRequest, response: SipResponse, creds: DigestCredentials, nc = 1): SipRequest | null {
  const proxy = response.status === 407;
  const challenges = response.headers.getAll(proxy ? 'proxy-authenticate' : 'www-authenticate')
    .map(parseAuthHeader)
    .filter((c) => c !== null && c.scheme.toLowerCase() === 'digest')
    .map((c) => ({ params: c!.params, alg: parseAlgorithm(c!.params.get('algorithm')) }))
    .filter((c): c is { params: Map<string, string | null>; alg: DigestAlgorithm } => c.alg !== null)
    .filter((c) => creds.realm === undefined || c.params.get('realm') === creds.realm)
    .sort((a, b) => (a.alg === 'SHA-256' ? -1 : 0) - (b.alg === 'SHA-256' ? -1 : 0));
  const ch = challenges[0];
  if (ch === undefined) return null;
  const realm = ch.params.get('realm') ?? '';
  const nonce = ch.params.get('nonce') ?? '';
  const qop = (ch.params.get('qop') ?? '').split(',').map((s) => s.trim()).includes('auth') ? 'auth' : undefined;
  const cnonce = qop ? randomToken(96) : undefined;
  const ncText = qop ? nc.toString(16).padStart(8, '0') : undefined;
  const out = cloneMessage(request);
  const digest = computeDigestResponse({
    algorithm: ch.alg, username: creds.username, realm, password: creds.password,
    method: request.method, uri: request.uri, nonce, qop, nc: ncText, cnonce,
  });
  const header = formatAuthHeader({
    scheme: 'Digest',
    params: [
      ['username', creds.username], ['realm', realm], ['nonce', nonce], ['uri', request.uri], ['response', digest],
      ['algorithm', ch.alg], ['opaque', ch.params.get('opaque') ?? undefined],
      ['qop', qop], ['nc', ncText], ['cnonce', cnonce],
    ],
  }, true);
  out.headers.set(proxy ? 'Proxy-Authorization' : 'Authorization', header);
  const cseq = getCSeq(request);
  if (cseq) out.headers.set('CSeq', `${cseq.seq + 1} ${cseq.method}`);
  // a new transaction: drop our top Via so the stack adds one with a fresh branch
  out.headers.removeFirst('via');
  return out;
}
