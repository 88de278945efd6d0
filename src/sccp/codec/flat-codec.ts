/**
 * Generic encoder/decoder for the fixed-layout messages of flat-layouts.ts.
 *
 * Rule 1: encoding a value that does not fit its field throws (our bug); decoding never throws on
 * peer bytes, it returns an `SccpRemoteError` value for a payload shorter than `minLength`.
 */
import { remoteError, SccpEncodeError, type SccpRemoteError } from '../errors.js';
import {
  FLAT_LAYOUTS,
  fieldSize,
  layoutSize,
  type FieldSpec,
  type FlatLayout,
  type FlatMessage,
  type FlatMessageName,
} from './flat-layouts.js';
import { checkUnsigned, ipv4Bytes, readIpv4, readText, viewOf, writeText } from './wire-format.js';

type Fields = Record<string, unknown>;

/** Encodes the payload (no header) of a fixed-layout message. */
export function encodeFlatPayload(layout: FlatLayout, msg: Fields): Uint8Array {
  const out = new Uint8Array(layoutSize(layout));
  const view = viewOf(out);
  let off = 0;
  for (const field of layout.fields) {
    writeField(out, view, off, field, msg[field[0]], `${String(msg['type'])}.${field[0]}`);
    off += fieldSize(field);
  }
  return out;
}

function writeField(out: Uint8Array, view: DataView, off: number, f: FieldSpec, value: unknown, what: string): void {
  switch (f[1]) {
    case 'pad':
      return;
    case 'u32':
      checkUnsigned(asNumber(value, what), 32, what);
      view.setUint32(off, value as number, true);
      return;
    case 'u16':
      checkUnsigned(asNumber(value, what), 16, what);
      view.setUint16(off, value as number, true);
      return;
    case 'u8':
      checkUnsigned(asNumber(value, what), 8, what);
      out[off] = value as number;
      return;
    case 'ipv4':
      out.set(ipv4Bytes(asString(value, what)), off);
      return;
    case 'char':
      writeText(out, off, f[2], asString(value, what));
      return;
    case 'bytes': {
      if (!(value instanceof Uint8Array) || value.length > f[2]) {
        throw new SccpEncodeError(`${what} must be a Uint8Array of at most ${f[2]} bytes`);
      }
      out.set(value, off);
    }
  }
}

function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new SccpEncodeError(`${what} must be a number`);
  return value;
}

function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new SccpEncodeError(`${what} must be a string`);
  return value;
}

/** Decodes the payload of fixed-layout message `name`; a too-short payload is a peer error. */
export function decodeFlatPayload<N extends FlatMessageName>(
  name: N,
  payload: Uint8Array,
): FlatMessage<N> | SccpRemoteError {
  const layout: FlatLayout = FLAT_LAYOUTS[name];
  const min = layout.minLength ?? layoutSize(layout);
  if (payload.length < min) {
    return remoteError('truncated-payload', `${name}: payload ${payload.length} bytes < ${min}`, layout.id);
  }
  const view = viewOf(payload);
  const msg: Fields = { type: name };
  let off = 0;
  for (const field of layout.fields) {
    const size = fieldSize(field);
    if (field[1] !== 'pad') msg[field[0]] = readField(payload, view, off, field, off + size <= payload.length);
    off += size;
  }
  return msg as FlatMessage<N>;
}

function readField(bytes: Uint8Array, view: DataView, off: number, f: FieldSpec, present: boolean): unknown {
  switch (f[1]) {
    case 'u32':
      return present ? view.getUint32(off, true) : 0;
    case 'u16':
      return present ? view.getUint16(off, true) : 0;
    case 'u8':
      return present ? bytes[off]! : 0;
    case 'ipv4':
      return present ? readIpv4(bytes, off) : '0.0.0.0';
    case 'char':
      return readText(bytes, off, f[2]);
    default: {
      const out = new Uint8Array(f[2]);
      if (off < bytes.length) out.set(bytes.subarray(off, Math.min(bytes.length, off + f[2])));
      return out;
    }
  }
}

/** A fixed-layout message with every field at its zero value, then `fields` applied. */
export function buildFlat<N extends FlatMessageName>(
  name: N,
  fields: Partial<Omit<FlatMessage<N>, 'type'>> = {},
): FlatMessage<N> {
  const msg: Fields = { type: name };
  for (const f of (FLAT_LAYOUTS[name] as FlatLayout).fields) {
    if (f[1] === 'pad') continue;
    msg[f[0]] = f[1] === 'char' ? '' : f[1] === 'ipv4' ? '0.0.0.0' : f[1] === 'bytes' ? new Uint8Array(f[2]) : 0;
  }
  return { ...msg, ...fields } as FlatMessage<N>;
}
