/**
 * Digest computation shared by server and client (RFC 7616 §3.4.1, RFC 2617 §3.2.2 for qop-less MD5).
 */
import { md5Hex, sha256Hex } from './hash.js';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

export function hashFor(alg: DigestAlgorithm): (s: string) => string {
  return alg === 'SHA-256' ? sha256Hex : md5Hex;
}

export function parseAlgorithm(text: string | null | undefined): DigestAlgorithm | null {
  if (text === undefined || text === null) return 'MD5';
  const t = text.toUpperCase();
  return t === 'MD5' ? 'MD5' : t === 'SHA-256' ? 'SHA-256' : null;
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password?: string;
  /** precomputed H(username:realm:password), instead of the password */
  ha1?: string;
  method: string;
  uri: string;
  nonce: string;
  /** 'auth' or undefined (RFC 2069 compatibility) */
  qop?: string;
  nc?: string;
  cnonce?: string;
}

/** RFC 7616 §3.4.1: response = H( H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2) ) */
export function computeDigestResponse(i: DigestInput): string {
  const H = hashFor(i.algorithm);
  const ha1 = i.ha1 ?? H(`${i.username}:${i.realm}:${i.password ?? ''}`);
  const ha2 = H(`${i.method}:${i.uri}`);
  if (i.qop) return H(`${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`);
  return H(`${ha1}:${i.nonce}:${ha2}`);
}

/** Constant-time comparison of two hex strings of equal length. */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let r = 0;
  for (let i = 0; i < a.length; i++) r |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return r === 0;
}
