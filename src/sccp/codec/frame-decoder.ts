/**
 * Stream decoder for Skinny over TCP: feed it whatever chunks the socket delivers, get back whole
 * decoded PDUs (partial frames are kept, coalesced frames are split).
 *
 * Rule 1: memory is bounded. At most one partial PDU (< maxPduBytes) is retained between pushes;
 * complete frames are decoded straight out of the incoming chunk.
 * Rule 2: a bad data_length (zero/too small, negative, above maxPduBytes) makes framing impossible:
 * the decoder returns one fatal `SccpRemoteError`, drops its buffer and stays `failed` (the owner
 * closes the connection). A known message with a short payload is a non-fatal error (frame skipped).
 * Rule 3: nothing here throws on peer bytes.
 */
import type { SccpRemoteError } from '../errors.js';
import { checkFrameLength, DEFAULT_MAX_PDU_BYTES, HEADER_BYTES, decodeMessage, type DecodeResult } from './sccp-codec.js';
import { viewOf } from './wire-format.js';

/** Options of a `FrameDecoder`. */
export interface FrameDecoderOptions {
  /** Largest PDU accepted, header included (default 2000, chan_skinny's SKINNY_MAX_PACKET). */
  readonly maxPduBytes?: number;
}

/** Incremental PDU decoder for one byte stream. */
export class FrameDecoder {
  readonly maxPduBytes: number;
  private pending: Uint8Array = new Uint8Array(0);
  private failure: SccpRemoteError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxPduBytes = options.maxPduBytes ?? DEFAULT_MAX_PDU_BYTES;
    if (this.maxPduBytes < HEADER_BYTES) throw new RangeError(`maxPduBytes ${this.maxPduBytes} < ${HEADER_BYTES}`);
  }

  /** Bytes of an incomplete PDU held back (always < maxPduBytes). */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** The fatal error that stopped this decoder, if any. */
  get failed(): SccpRemoteError | undefined {
    return this.failure;
  }

  /** Feeds a chunk; returns the frames (and errors) it completed, in stream order. */
  push(chunk: Uint8Array): DecodeResult[] {
    if (this.failure) return [];
    const data = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    const results: DecodeResult[] = [];
    let off = 0;
    while (data.length - off >= 4) {
      const total = checkFrameLength(viewOf(data).getUint32(off, true), this.maxPduBytes);
      if (typeof total !== 'number') {
        this.failure = total;
        this.pending = new Uint8Array(0);
        results.push({ ok: false, error: total });
        return results;
      }
      if (data.length - off < total) break;
      results.push(decodeOne(data.subarray(off, off + total)));
      off += total;
    }
    // copy the tail so a large coalesced chunk is not kept alive by a small remainder
    this.pending = data.slice(off);
    return results;
  }
}

function decodeOne(pdu: Uint8Array): DecodeResult {
  const v = viewOf(pdu);
  const result = decodeMessage(v.getUint32(8, true), pdu.subarray(HEADER_BYTES));
  if ('kind' in result) return { ok: false, error: result };
  return { ok: true, frame: { message: result, headerVersion: v.getUint32(4, true) } };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
