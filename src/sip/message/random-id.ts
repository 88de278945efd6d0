/**
 * Random identifiers: tags (RFC 3261 §19.3 "at least 32 bits of randomness" — we draw 128),
 * branches (magic cookie + 128 bits), Call-IDs (128 bits). Uses Web Crypto `randomUUID` (a global in
 * Node 20, so this file needs no `node:` import): Node serves it from a pooled entropy cache, about
 * 30× cheaper than one `getRandomValues` call per id, which showed in every response's To tag.
 */
import { BRANCH_MAGIC } from './header-parsers.js';

/** The 30 fully random hex digits of a v4 UUID (version nibble and variant nibble dropped). */
function randomHex30(): string {
  const u = globalThis.crypto.randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(15, 18) + u.slice(20, 23) + u.slice(24);
}

/** At least `bits` of randomness as lower-case hex (token-safe characters only). */
export function randomToken(bits = 128): string {
  const chars = Math.ceil(bits / 4);
  let s = randomHex30();
  while (s.length < chars) s += randomHex30();
  return s.slice(0, chars);
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
