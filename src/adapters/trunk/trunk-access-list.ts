/**
 * Incoming trunk access list (issue 6, DESIGN.md trunks): a request from a source address that no
 * trunk's `accessList` admits is not from a trunk (the presence adapter and the B2BUA answer 403
 * when they expected a trunk). Entries are IPv4/IPv6 addresses or CIDR blocks.
 *
 * Rule 1: the first trunk (by name order) whose list admits the address wins.
 * Rule 2: malformed entries admit nothing (the dialplan validator reports them).
 * Rule 3: the lists are parsed once per directory snapshot (snapshots are immutable), and the answer
 *         per source address is remembered with it: this runs for every trunk-side request.
 */
import type { Directory, Trunk } from '../../core/index.js';

/** Parses an IPv4 or IPv6 address into bytes, or null. IPv4-mapped IPv6 (::ffff:a.b.c.d) → IPv4. */
export function parseIp(text: string): Uint8Array | null {
  const t = text.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  if (mapped) return parseIp(mapped[1]);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(t)) {
    const parts = t.split('.').map(Number);
    return parts.every((p) => p <= 255) ? Uint8Array.from(parts) : null;
  }
  if (!t.includes(':')) return null;
  const [head, tail, extra] = t.split('::');
  if (extra !== undefined) return null;
  const words = (s: string | undefined) => (s ? s.split(':') : []);
  const h = words(head);
  const tl = words(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - tl.length;
  if (fill < 0 || (tail === undefined && h.length !== 8)) return null;
  const all = [...h, ...Array(fill).fill('0'), ...tl];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/i.test(all[i])) return null;
    const v = parseInt(all[i], 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 255;
  }
  return out;
}

interface CidrBlock {
  readonly net: Uint8Array;
  readonly prefix: number;
}

function parseCidr(cidr: string): CidrBlock | null {
  const [net, prefixText] = cidr.split('/');
  const n = parseIp(net);
  if (n === null) return null;
  const prefix = prefixText === undefined ? n.length * 8 : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > n.length * 8) return null;
  return { net: n, prefix };
}

function inBlock(a: Uint8Array, block: CidrBlock): boolean {
  if (a.length !== block.net.length) return false;
  for (let bit = 0; bit < block.prefix; bit += 8) {
    const bits = Math.min(8, block.prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((a[bit / 8] & mask) !== (block.net[bit / 8] & mask)) return false;
  }
  return true;
}

/** Does `cidr` (address or address/prefix) contain `ip`? */
export function ipInCidr(ip: string, cidr: string): boolean {
  const a = parseIp(ip);
  const block = parseCidr(cidr);
  return a !== null && block !== null && inBlock(a, block);
}

/** Rule 3: one directory's access lists, parsed, and the answers given so far. */
interface AccessIndex {
  readonly trunks: readonly { readonly trunk: Trunk; readonly blocks: readonly CidrBlock[] }[];
  readonly bySource: Map<string, Trunk | null>;
}

/** Sources remembered per snapshot; past this the memo starts over (a flood of spoofed sources). */
const MAX_REMEMBERED_SOURCES = 10_000;
const indexes = new WeakMap<Directory, AccessIndex>();

function accessIndexOf(dir: Directory): AccessIndex {
  let index = indexes.get(dir);
  if (index === undefined) {
    const trunks = [...dir.trunks.keys()].sort().map((name) => {
      const trunk = dir.trunks.get(name)!;
      return { trunk, blocks: trunk.accessList.map(parseCidr).filter((b): b is CidrBlock => b !== null) };
    });
    index = { trunks, bySource: new Map() };
    indexes.set(dir, index);
  }
  return index;
}

/** Rule 1: the trunk that admits `sourceIp`, or undefined (→ 403 where a trunk was required). */
export function trunkForSource(dir: Directory, sourceIp: string): Trunk | undefined {
  const index = accessIndexOf(dir);
  const known = index.bySource.get(sourceIp);
  if (known !== undefined) return known ?? undefined;
  const a = parseIp(sourceIp);
  const found = a === null ? undefined : index.trunks.find((t) => t.blocks.some((b) => inBlock(a, b)))?.trunk;
  if (index.bySource.size >= MAX_REMEMBERED_SOURCES) index.bySource.clear();
  index.bySource.set(sourceIp, found ?? null);
  return found;
}
