/**
 * Digest authentication, server side (RFC 7616 as used by SIP, RFC 3261 §22.4, RFC 8760):
 * MD5 and SHA-256, qop=auth, nonces with expiry (stale=true, RFC 7616 §3.3), replay-safe nonce
 * counts, bounded memory (oldest nonces evicted past `maxNonces`).
 *
 * Rule 1: `verify` returns a value (never throws on peer input); the caller answers 401/407 with
 *         `challenge()` when it is not ok, 403 when it chooses to.
 * Rule 2: the clock is injected (`now()` in ms).
 * Rule 3: over WebSocket (top Via WS/WSS) an offered MD5 challenge goes last. Browser stacks keep only
 *         the last WWW-Authenticate they parse and answer MD5 alone (SIP.js 0.21 aborts on a SHA-256
 *         one, found by test/interop/sipjs-ws.test.ts), while desk phones and SIPp answer the first
 *         challenge, so UDP/TCP/TLS keep the configured order.
 */
import {
  createResponse, getTopVia, parseAuthHeader, formatAuthHeader, randomToken, type SipRequest, type SipResponse,
} from '../message/index.js';
import { computeDigestResponse, parseAlgorithm, safeEqual, type DigestAlgorithm } from './digest.js';

export interface DigestServerOptions {
  realm: string;
  /** offered in this order (RFC 8760 §2.4: the most preferred first); default SHA-256 then MD5 */
  algorithms?: DigestAlgorithm[];
  /** nonce lifetime, default 300 000 ms */
  nonceTtlMs?: number;
  /** nonces remembered, default 10 000 */
  maxNonces?: number;
  /** act as a proxy (407 + Proxy-Authenticate / Proxy-Authorization) */
  proxy?: boolean;
  now: () => number;
}

/** What the caller knows of a user: the password, or H(A1) per algorithm. */
export type CredentialLookup = (username: string, realm: string) => { password?: string; ha1?: Partial<Record<DigestAlgorithm, string>> } | undefined;

export type DigestVerdict =
  | { ok: true; username: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'realm' | 'algorithm' | 'uri' | 'unknown-user' | 'wrong-response' | 'replay' | 'stale' };

interface NonceState {
  issuedAt: number;
  lastNc: number;
}

export class DigestServer {
  private readonly nonces = new Map<string, NonceState>();
  private readonly algorithms: DigestAlgorithm[];
  private readonly ttl: number;
  private readonly max: number;

  constructor(private readonly opts: DigestServerOptions) {
    this.algorithms = opts.algorithms ?? ['SHA-256', 'MD5'];
    this.ttl = opts.nonceTtlMs ?? 300_000;
    this.max = opts.maxNonces ?? 10_000;
  }

  get nonceCount(): number {
    return this.nonces.size;
  }

  /** 401 (or 407) with one challenge per algorithm; `stale` when the last failure was an old nonce. */
  challenge(request: SipRequest, stale = false): SipResponse {
    const status = this.opts.proxy ? 407 : 401;
    const name = this.opts.proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const nonce = this.issueNonce();
    const headers: Array<[string, string]> = this.offeredTo(request).map((alg) => [name, formatAuthHeader({
      scheme: 'Digest',
      params: [['realm', this.opts.realm], ['qop', 'auth'], ['algorithm', alg], ['nonce', nonce], ['stale', stale ? 'true' : undefined]],
    })]);
    return createResponse(request, status, undefined, { toTag: true, headers });
  }

  /** Rule 3. */
  private offeredTo(request: SipRequest): readonly DigestAlgorithm[] {
    const transport = getTopVia(request)?.transport;
    if ((transport !== 'WS' && transport !== 'WSS') || !this.algorithms.includes('MD5')) return this.algorithms;
    return [...this.algorithms.filter((a) => a !== 'MD5'), 'MD5'];
  }

  /** Check the request's credentials for our realm. */
  verify(request: SipRequest, lookup: CredentialLookup): DigestVerdict {
    const name = this.opts.proxy ? 'proxy-authorization' : 'authorization';
    const values = request.headers.getAll(name);
    const mine = values.map(parseAuthHeader).find((h) => h !== null && h.params.get('realm') === this.opts.realm);
    if (values.length === 0) return { ok: false, reason: 'missing' };
    if (mine === undefined || mine === null) return { ok: false, reason: values.every((v) => parseAuthHeader(v) !== null) ? 'realm' : 'malformed' };
    if (mine.scheme.toLowerCase() !== 'digest') return { ok: false, reason: 'malformed' };
    const p = (k: string): string | undefined => mine.params.get(k) ?? undefined;
    const [username, nonce, uri, response] = [p('username'), p('nonce'), p('uri'), p('response')];
    if (!username || !nonce || !uri || !response) return { ok: false, reason: 'malformed' };
    const algorithm = parseAlgorithm(p('algorithm'));
    if (algorithm === null || !this.algorithms.includes(algorithm)) return { ok: false, reason: 'algorithm' };
    const qop = p('qop');
    if (qop !== undefined && qop !== 'auth') return { ok: false, reason: 'malformed' };
    const nc = p('nc');
    if (qop === 'auth' && (!nc || !/^[0-9a-fA-F]{8}$/.test(nc) || !p('cnonce'))) return { ok: false, reason: 'malformed' };
    if (uri !== request.uri) return { ok: false, reason: 'uri' };
    const user = lookup(username, this.opts.realm);
    if (user === undefined) return { ok: false, reason: 'unknown-user' };
    const expected = computeDigestResponse({
      algorithm, username, realm: this.opts.realm, password: user.password, ha1: user.ha1?.[algorithm],
      method: request.method, uri, nonce, qop, nc, cnonce: p('cnonce'),
    });
    if (!safeEqual(expected, response.toLowerCase())) return { ok: false, reason: 'wrong-response' };
    return this.checkNonce(nonce, qop === 'auth' ? parseInt(nc!, 16) : null, username);
  }

  private checkNonce(nonce: string, nc: number | null, username: string): DigestVerdict {
    const st = this.nonces.get(nonce);
    // RFC 7616 §3.3 stale: "the request from the client was rejected because the nonce value was stale" (digest itself valid)
    if (st === undefined || this.opts.now() - st.issuedAt > this.ttl) {
      if (st !== undefined) this.nonces.delete(nonce);
      return { ok: false, reason: 'stale' };
    }
    if (nc !== null) {
      // RFC 7616 §3.4: the server "can … detect … a replay of an old request" by the nonce count
      if (nc <= st.lastNc) return { ok: false, reason: 'replay' };
      st.lastNc = nc;
    } else if (st.lastNc >= 0) {
      return { ok: false, reason: 'replay' };
    } else st.lastNc = 0;
    return { ok: true, username };
  }

  private issueNonce(): string {
    const nonce = randomToken(128);
    if (this.nonces.size >= this.max) {
      const oldest = this.nonces.keys().next().value;
      if (oldest !== undefined) this.nonces.delete(oldest);
    }
    this.nonces.set(nonce, { issuedAt: this.opts.now(), lastNc: -1 });
    return nonce;
  }
}
