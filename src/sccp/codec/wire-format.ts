/**
 * Primitive field codecs for Skinny payloads: little-endian integers, fixed NUL-padded text, IPv4 in
 * network order (sccp-facts.md §1: "every integer … little-endian; exception: IPv4 addresses").
 *
 * Rule 1: text is carried byte-for-byte as latin1 (one char code = one byte), so phone-localised
 * labels such as "\x80\x18" (Connected) survive a round trip unchanged.
 * Rule 2: a fixed `char[N]` field holds at most N-1 characters and is always NUL-terminated, because
 * phones treat it as a C string.
 */
import { SccpEncodeError } from '../errors.js';

/** Bytes of `text` as latin1; characters above 0xFF are a bug of the caller. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new SccpEncodeError(`character U+${code.toString(16)} is not latin1`);
    out[i] = code;
  }
  return out;
}

/** Reads text up to the first NUL (or the end of the slice). */
export function readText(bytes: Uint8Array, offset: number, size: number): string {
  const end = Math.min(bytes.length, offset + size);
  let text = '';
  for (let i = offset; i < end; i++) {
    const b = bytes[i]!;
    if (b === 0) break;
    text += String.fromCharCode(b);
  }
  return text;
}

/** Writes `text` into a fixed `char[size]` field (NUL-padded; longer text is a bug). */
export function writeText(out: Uint8Array, offset: number, size: number, text: string): void {
  const bytes = latin1Bytes(text);
  if (bytes.length > size - 1) {
    throw new SccpEncodeError(`text "${text}" does not fit char[${size}] (max ${size - 1})`);
  }
  out.set(bytes, offset);
}

/** Parses dotted IPv4 into 4 bytes, network order. */
export function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split('.');
  const out = new Uint8Array(4);
  const ok = parts.length === 4 && parts.every((p, i) => {
    const n = /^\d{1,3}$/.test(p) ? Number(p) : NaN;
    out[i] = n;
    return n >= 0 && n <= 255;
  });
  if (!ok) throw new SccpEncodeError(`not an IPv4 address: "${address}"`);
  return out;
}

/** Formats 4 network-order bytes as dotted IPv4. */
export function readIpv4(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
}

/** Checks an unsigned integer fits `bits` bits (a bug otherwise). */
export function checkUnsigned(value: number, bits: 8 | 16 | 32, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new SccpEncodeError(`${what} = ${value} does not fit u${bits}`);
  }
}

/** Little-endian DataView over a byte array (no copy). */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
