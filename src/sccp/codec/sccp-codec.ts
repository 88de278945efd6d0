/**
 * Framing: `encode(msg)` builds one whole PDU; `decodeFrame(bytes)` decodes exactly one PDU.
 *
 * Header (sccp-facts.md §1.1): u32 data_length (= 4 + payload length, bytes after the first 8),
 * u32 header version, u32 message id; all little-endian. We always send header version 0 ("Basic",
 * §1.2) unless told otherwise; any header version is accepted on input and reported.
 */
import { remoteError, SccpEncodeError, type SccpRemoteError } from '../errors.js';
import { decodeFlatPayload, encodeFlatPayload } from './flat-codec.js';
import { FLAT_LAYOUTS, type FlatLayout, type FlatMessageName } from './flat-layouts.js';
import { messageIdOf, messageNameOf, type SccpMessage } from './sccp-message.js';
import {
  decodeStructuredPayload,
  encodeStructuredPayload,
  STRUCTURED_IDS,
  type StructuredMessage,
} from './structured-messages.js';
import { viewOf } from './wire-format.js';

/** Header size in bytes. */
export const HEADER_BYTES = 12;
/** Default max PDU size (header included), as chan_skinny's SKINNY_MAX_PACKET. */
export const DEFAULT_MAX_PDU_BYTES = 2000;

/** A decoded PDU. */
export interface DecodedFrame {
  readonly message: SccpMessage;
  readonly headerVersion: number;
}

/** Result of decoding: a frame or a peer error value. */
export type DecodeResult =
  | { readonly ok: true; readonly frame: DecodedFrame }
  | { readonly ok: false; readonly error: SccpRemoteError };

function isStructured(msg: SccpMessage): msg is StructuredMessage {
  return msg.type in STRUCTURED_IDS;
}

/** Encodes the payload of a message (no header). */
export function encodePayload(msg: SccpMessage): Uint8Array {
  if (msg.type === 'Unknown') return msg.payload;
  if (isStructured(msg)) return encodeStructuredPayload(msg);
  return encodeFlatPayload(FLAT_LAYOUTS[msg.type] as FlatLayout, msg as unknown as Record<string, unknown>);
}

/** Encodes one whole PDU (header + payload). */
export function encode(msg: SccpMessage, headerVersion = 0): Uint8Array {
  const payload = encodePayload(msg);
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const v = viewOf(out);
  const id = messageIdOf(msg);
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new SccpEncodeError(`bad message id ${id}`);
  v.setUint32(0, 4 + payload.length, true);
  v.setUint32(4, headerVersion, true);
  v.setUint32(8, id, true);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Decodes a payload for a message id. */
export function decodeMessage(id: number, payload: Uint8Array): SccpMessage | SccpRemoteError {
  const name = messageNameOf(id);
  if (name === undefined) return { type: 'Unknown', id, payload: payload.slice() };
  if (name in STRUCTURED_IDS) return decodeStructuredPayload(name as StructuredMessage['type'], payload);
  return decodeFlatPayload(name as FlatMessageName, payload) as SccpMessage | SccpRemoteError;
}

/**
 * Checks a header's data_length: returns the total PDU size, or a fatal peer error.
 * data_length must be ≥ 4 (the message id) and data_length + 8 ≤ maxPduBytes.
 */
export function checkFrameLength(dataLength: number, maxPduBytes: number): number | SccpRemoteError {
  if (dataLength >= 0x80000000) return remoteError('length-negative', `data_length ${dataLength | 0} is negative`);
  if (dataLength < 4) return remoteError('length-too-small', `data_length ${dataLength} < 4`);
  if (dataLength + 8 > maxPduBytes) {
    return remoteError('length-too-large', `PDU of ${dataLength + 8} bytes > max ${maxPduBytes}`);
  }
  return dataLength + 8;
}

/** Decodes exactly one complete PDU (extra or missing bytes are peer errors). */
export function decodeFrame(bytes: Uint8Array, maxPduBytes = DEFAULT_MAX_PDU_BYTES): DecodeResult {
  if (bytes.length < HEADER_BYTES) {
    return { ok: false, error: remoteError('length-too-small', `frame of ${bytes.length} bytes < header`) };
  }
  const v = viewOf(bytes);
  const total = checkFrameLength(v.getUint32(0, true), maxPduBytes);
  if (typeof total !== 'number') return { ok: false, error: total };
  if (total !== bytes.length) {
    return { ok: false, error: remoteError('truncated-payload', `header says ${total} bytes, frame has ${bytes.length}`) };
  }
  const result = decodeMessage(v.getUint32(8, true), bytes.subarray(HEADER_BYTES));
  if ('kind' in result) return { ok: false, error: result };
  return { ok: true, frame: { message: result, headerVersion: v.getUint32(4, true) } };
}
