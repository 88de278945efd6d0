import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compactHeap, decideTrim, exposeGc, loadMallocTrim, type TrimSample } from '../../../src/app/idle-memory-trim.js';

const MB = 1024 * 1024;
const policy = { idleCpuShare: 0.05, minIdleIntervals: 3, minGrowthBytes: 16 * MB, grownYoungBytes: 8 * MB, youngRetries: 2 };
const idle: TrimSample = { idleBefore: 2, cpuMicros: 10_000, wallMicros: 1_000_000, heapTotal: 200 * MB, heapTotalAfterTrim: 100 * MB, youngBytes: 2 * MB, youngTrims: 0 };

test('decideTrim: an idle second after growth trims', () => {
  assert.equal(decideTrim(idle, policy), 'growth');
});

test('decideTrim: fewer idle intervals in a row than the policy asks do not trim', () => {
  assert.equal(decideTrim({ ...idle, idleBefore: 1 }, policy), null);
  assert.equal(decideTrim({ ...idle, idleBefore: 0 }, policy), null);
  assert.equal(decideTrim({ ...idle, idleBefore: 7 }, policy), 'growth');
});

test('decideTrim: a busy second does not trim, however much the heap grew', () => {
  assert.equal(decideTrim({ ...idle, cpuMicros: 50_000 }, policy), null);
  assert.equal(decideTrim({ ...idle, cpuMicros: 900_000 }, policy), null);
});

test('decideTrim: growth below the threshold (or a heap that shrank) does not trim', () => {
  assert.equal(decideTrim({ ...idle, heapTotal: 100 * MB + 16 * MB - 1 }, policy), null);
  assert.equal(decideTrim({ ...idle, heapTotal: 100 * MB + 16 * MB }, policy), 'growth');
  assert.equal(decideTrim({ ...idle, heapTotal: 50 * MB }, policy), null);
});

test('decideTrim: a young generation still grown after a trim gets a bounded number of retries', () => {
  const after = { ...idle, heapTotal: 100 * MB, youngBytes: 33 * MB };
  assert.equal(decideTrim(after, policy), 'young');
  assert.equal(decideTrim({ ...after, youngTrims: 1 }, policy), 'young');
  assert.equal(decideTrim({ ...after, youngTrims: 2 }, policy), null, 'gives up: the load never lets V8 shrink it');
  assert.equal(decideTrim({ ...after, youngBytes: 1 * MB }, policy), null, 'shrunk: nothing to do');
  assert.equal(decideTrim({ ...after, idleBefore: 0 }, policy), null, 'still waits for an idle stretch');
});

test('decideTrim: an empty interval decides nothing', () => {
  assert.equal(decideTrim({ ...idle, cpuMicros: 0, wallMicros: 0 }, policy), null);
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

const rssBytes = () => Number(/^Rss:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))![1]) * 1024;

test('malloc trim: freed buffers in the middle of malloc\'s heap go back to the system', { skip: process.platform !== 'linux' }, () => {
  const trim = loadMallocTrim();
  assert.ok(trim, 'npm ci builds build/Release/malloc_trim.node on Linux');
  const gc = exposeGc()!;
  // 24,000 buffers of 2 kB each (malloc, below its mmap threshold), one in eight kept: the free
  // space lies between live chunks, where glibc keeps it until malloc_trim
  let buffers: Buffer[] | undefined = Array.from({ length: 24_000 }, (_, i) => Buffer.allocUnsafeSlow(2048).fill(i & 0xff));
  const kept = buffers.filter((_, i) => i % 8 === 0);
  buffers = undefined;
  gc();
  gc();
  const before = rssBytes();
  trim();
  const after = rssBytes();
  assert.equal(kept.length, 3000);
  assert.ok(after < before - 16 * MB, `RSS ${Math.round(before / MB)} MB -> ${Math.round(after / MB)} MB`);
});
