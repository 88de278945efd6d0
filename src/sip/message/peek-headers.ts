/**
 * Read-only, memoized views of the fields the stack reads on every message: top Via, CSeq, From, To.
 * The parser validates them, and then transaction matching, Via routing and response building read
 * them again; with `SipHeaders.memoize` each is parsed once per raw value (sip-headers.ts Rule 4).
 *
 * Rule 1: what these return is shared with every other reader of the same message: never mutate it.
 *         To change a field, parse a private copy (`getTopVia`, `getFrom` …) and write the header.
 * Rule 2: an edited header is re-parsed on the next peek (the memo holds the raw string it read).
 */
import { splitHeaderList } from './sip-headers.js';
import { parseCSeq, parseVia, type CSeq, type Via } from './header-parsers.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import type { Params } from './params.js';
import type { SipMessage } from './sip-message.js';

type ReadonlyParams = ReadonlyMap<string, string | null>;

/** A Via as the stack reads it: no writes. */
export type ViaView = Readonly<Omit<Via, 'params'>> & { readonly params: ReadonlyParams };
/** A From/To/Contact value as the stack reads it: no writes. */
export type NameAddrView = Readonly<Omit<NameAddr, 'params'>> & { readonly params: ReadonlyParams };

/** The first element of a list field without splitting the rest (most Via fields hold one value). */
function firstListElement(raw: string): string {
  return raw.indexOf(',') < 0 ? raw : splitHeaderList(raw)[0] ?? '';
}

// memo keys: one module-level function per field, so From and To never share a slot
const parseTopViaField = (raw: string): Via | null => parseVia(firstListElement(raw));
const parseCSeqField = (raw: string): CSeq | null => parseCSeq(raw);
const parseFromField = (raw: string): NameAddr | null => parseNameAddr(raw);
const parseToField = (raw: string): NameAddr | null => parseNameAddr(raw);

export function peekTopVia(msg: SipMessage): ViaView | null {
  const raw = msg.headers.getByKey('via');
  return raw === undefined ? null : msg.headers.memoize(raw, parseTopViaField);
}

export function peekCSeq(msg: SipMessage): Readonly<CSeq> | null {
  const raw = msg.headers.getByKey('cseq');
  return raw === undefined ? null : msg.headers.memoize(raw, parseCSeqField);
}

export function peekFrom(msg: SipMessage): NameAddrView | null {
  const raw = msg.headers.getByKey('from');
  return raw === undefined ? null : msg.headers.memoize(raw, parseFromField);
}

export function peekTo(msg: SipMessage): NameAddrView | null {
  const raw = msg.headers.getByKey('to');
  return raw === undefined ? null : msg.headers.memoize(raw, parseToField);
}

/** The `tag` parameter of a name-addr view, or undefined (a valueless `;tag` counts as none). */
export function tagOfView(na: NameAddrView | null): string | undefined {
  const tag = na?.params.get('tag');
  return tag === null || tag === undefined ? undefined : tag;
}

/** A private, writable copy of a peeked Via (for stamping received/rport). */
export function copyVia(v: ViaView): Via {
  return { ...v, params: new Map(v.params) as Params };
}

/**
 * Replace the top Via value (the first element of the first Via field) with `text`, which the caller
 * built from `via`; the memo learns `via` so the next peek does not parse `text` again.
 */
export function writeTopVia(msg: SipMessage, text: string, via: Via): void {
  const h = msg.headers;
  const i = h.keys.indexOf('via');
  if (i < 0) throw new Error('writeTopVia: message has no Via');
  const field = h.values[i];
  const raw = field.indexOf(',') < 0 ? text : [text, ...splitHeaderList(field).slice(1)].join(', ');
  h.values[i] = raw;
  h.remember(raw, parseTopViaField, via);
}
