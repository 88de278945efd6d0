import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactHeap, decideTrim, exposeGc, type TrimSample } from '../../../src/app/idle-memory-trim.js';

const MB = 1024 * 1024;
const policy = { idleCpuShare: 0.05, minGrowthBytes: 16 * MB };
const idle: TrimSample = { cpuMicros: 10_000, wallMicros: 1_000_000, heapTotal: 200 * MB, heapTotalAfterTrim: 100 * MB };

test('decideTrim: an idle second after growth trims', () => {
  assert.equal(decideTrim(idle, policy), true);
});

test('decideTrim: a busy second does not trim, however much the heap grew', () => {
  assert.equal(decideTrim({ ...idle, cpuMicros: 50_000 }, policy), false);
  assert.equal(decideTrim({ ...idle, cpuMicros: 900_000 }, policy), false);
});

test('decideTrim: growth below the threshold (or a heap that shrank) does not trim', () => {
  assert.equal(decideTrim({ ...idle, heapTotal: 100 * MB + 16 * MB - 1 }, policy), false);
  assert.equal(decideTrim({ ...idle, heapTotal: 100 * MB + 16 * MB }, policy), true);
  assert.equal(decideTrim({ ...idle, heapTotal: 50 * MB }, policy), false);
});

test('decideTrim: an empty interval decides nothing', () => {
  assert.equal(decideTrim({ ...idle, cpuMicros: 0, wallMicros: 0 }, policy), false);
});

test('compactHeap: a heap fragmented by interleaved garbage gives pages back', () => {
  const gc = exposeGc();
  assert.ok(gc, 'Node gives a GC entry point at run time');
  gc();
  // objects promoted together, two in three then dropped: every old-space page left a third full
  let all: Array<{ i: number; s: string }> | undefined = [];
  for (let i = 0; i < 600_000; i++) all.push({ i, s: `x${i}` });
  gc(); // promote
  const kept = all.filter((_, i) => i % 3 === 0);
  all = undefined;
  for (let i = 0; i < 3; i++) gc(); // plain full GCs: sweep, move a few sparse pages, keep the rest committed
  const fragmented = process.memoryUsage().heapTotal;
  const { before, after } = compactHeap(gc, () => process.memoryUsage().heapTotal);
  assert.equal(kept.length, 200_000);
  assert.ok(before >= fragmented * 0.9, 'measured the fragmented heap');
  assert.ok(after < before - 8 * MB, `compaction gave back what plain GCs kept: ${Math.round(before / MB)} MB -> ${Math.round(after / MB)} MB`);
  // the flag is off again: a plain full GC afterwards still works and keeps every live object
  gc();
  assert.equal(kept[199_999]!.s, 'x599997');
});
