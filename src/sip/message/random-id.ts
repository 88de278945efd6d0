/**
 * Random identifiers: tags (RFC 3261 §19.3 "at least 32 bits of randomness" — we draw 128),
 * branches (magic cookie + 128 bits), Call-IDs (128 bits). Uses Web Crypto `getRandomValues`
 * (a global in Node 20), so this file needs no `node:` import.
 */
import { BRANCH_MAGIC } from './header-parsers.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `bits` of randomness as a base64url token (token-safe characters only). */
export function randomToken(bits = 128): string {
  const chars = Math.ceil(bits / 6);
  const bytes = new Uint8Array(chars);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (let i = 0; i < chars; i++) s += ALPHABET[bytes[i] & 63];
  return s;
}

export function generateTag(): string {
  return randomToken(128);
}

export function generateBranch(): string {
  return BRANCH_MAGIC + randomToken(128);
}

export function generateCallId(host?: string): string {
  return host ? `${randomToken(128)}@${host}` : randomToken(128);
}
