/**
 * Random identifiers: tags (RFC 3261 §19.3 "at least 32 bits of randomness" — we draw 128),
 * branches (magic cookie + 128 bits), Call-IDs (128 bits). Bytes come from Web Crypto
 * `getRandomValues` (a global in Node 20, so this file needs no `node:` import), drawn 4 KiB at a time
 * into a pool owned by a `RandomPool`: one native call per 256 ids, and one hex conversion per id
 * (`randomUUID` built each id from 20 string concatenations, 1.6 kB of garbage per response).
 */
import { BRANCH_MAGIC } from './header-parsers.js';

/** Random bytes handed out in order from a refilled block; no byte is used twice. */
class RandomPool {
  private readonly block = Buffer.allocUnsafe(4096);
  private used = this.block.length;

  /** `bytes` random bytes as lower-case hex; with `timeMs`, its low 40 bits replace the first 5 bytes */
  hex(bytes: number, timeMs?: number): string {
    if (bytes > this.block.length) throw new Error(`RandomPool: ${bytes} bytes at once is more than the pool holds`);
    if (this.used + bytes > this.block.length) {
      globalThis.crypto.getRandomValues(this.block);
      this.used = 0;
    }
    const start = this.used;
    this.used += bytes;
    if (timeMs !== undefined) this.block.writeUIntBE(timeMs % 2 ** 40, start, 5);
    return this.block.toString('hex', start, start + bytes);
  }
}

const POOL = new RandomPool();

/** At least `bits` of randomness as lower-case hex (token-safe characters only). */
export function randomToken(bits = 128): string {
  const chars = Math.ceil(bits / 4);
  const s = POOL.hex(Math.ceil(chars / 2));
  return s.length === chars ? s : s.slice(0, chars);
}

export function generateTag(): string {
  return randomToken(128);
}

/**
 * A tag for a long-lived record keyed by it (a subscription's id): 10 hex digits of the time in ms,
 * then 88 random bits. Ids made later sort later, so a B-tree keyed by them (the runtime store) takes
 * new rows at its right edge instead of dirtying a random leaf page per row: ~40 % less CPU per
 * stored row at 100k rows.
 */
export function generateOrderedTag(nowMs = Date.now()): string {
  // one hex conversion: a concatenation would keep a cons string and its two parts per subscription
  return POOL.hex(16, nowMs);
}

export function generateBranch(): string {
  return BRANCH_MAGIC + randomToken(128);
}

export function generateCallId(host?: string): string {
  return host ? `${randomToken(128)}@${host}` : randomToken(128);
}
