/** FrameDecoder: partial and coalesced frames, hostile lengths, bounded buffer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFlat, encode, FrameDecoder, type SccpMessage } from '../../../../src/sccp/index.js';

const MSGS: SccpMessage[] = [
  buildFlat('KeepAliveReq'),
  buildFlat('OffHook', { lineInstance: 1 }),
  buildFlat('CallState', { callState: 4, lineInstance: 1, callReference: 3 }),
  { type: 'ButtonTemplateRes', buttonOffset: 0, totalButtonCount: 1, buttons: [{ instanceNumber: 1, buttonDefinition: 9 }] },
];
const STREAM = new Uint8Array(MSGS.flatMap((m) => [...encode(m)]));

function decodeAll(d: FrameDecoder, chunks: Uint8Array[]): SccpMessage[] {
  return chunks.flatMap((c) => d.push(c)).map((r) => {
    assert.ok(r.ok);
    return r.frame.message;
  });
}

test('coalesced frames in one chunk are split', () => {
  assert.deepEqual(decodeAll(new FrameDecoder(), [STREAM]), MSGS);
});

test('byte-by-byte and every split point give the same frames', () => {
  const d = new FrameDecoder();
  assert.deepEqual(decodeAll(d, Array.from(STREAM, (b) => new Uint8Array([b]))), MSGS);
  assert.equal(d.bufferedBytes, 0);
  for (let cut = 1; cut < STREAM.length; cut++) {
    assert.deepEqual(decodeAll(new FrameDecoder(), [STREAM.subarray(0, cut), STREAM.subarray(cut)]), MSGS, `cut ${cut}`);
  }
});

test('hostile lengths are one fatal error, after which the decoder stays failed', () => {
  for (const [len, code] of [[0, 'length-too-small'], [3, 'length-too-small'], [-1, 'length-negative'], [0x10000000, 'length-too-large'], [1993, 'length-too-large']] as const) {
    const d = new FrameDecoder();
    const head = new Uint8Array(12);
    new DataView(head.buffer).setInt32(0, len, true);
    const out = d.push(new Uint8Array([...encode(MSGS[0]!), ...head, ...encode(MSGS[0]!)]));
    assert.equal(out.length, 2, `len ${len}`);
    assert.ok(out[0]!.ok);
    assert.ok(!out[1]!.ok && out[1]!.error.code === code && out[1]!.error.fatal, `len ${len}`);
    assert.ok(d.failed);
    assert.equal(d.bufferedBytes, 0);
    assert.deepEqual(d.push(encode(MSGS[0]!)), []);
  }
});

test('max PDU is configurable and the held-back partial frame stays below it', () => {
  const d = new FrameDecoder({ maxPduBytes: 64 });
  const big = encode(buildFlat('LineStatReq', { lineNumber: 1 }));
  assert.equal(d.push(big.subarray(0, 10)).length, 0);
  assert.ok(d.bufferedBytes < 64);
  const tooBig = encode(buildFlat('CallInfo'));
  const r = new FrameDecoder({ maxPduBytes: 64 }).push(tooBig);
  assert.ok(!r[0]!.ok && r[0]!.error.code === 'length-too-large');
});

test('unknown ids decode to Unknown {id, payload}', () => {
  const r = new FrameDecoder().push(new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 0x42, 0x42, 0, 0, 1, 2, 3, 4]));
  assert.ok(r[0]!.ok);
  assert.deepEqual(r[0]!.frame.message, { type: 'Unknown', id: 0x4242, payload: new Uint8Array([1, 2, 3, 4]) });
});
