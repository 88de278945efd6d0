import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decideTrim, loadNativeTrim, trimMemory, type TrimSample } from '../../../src/app/idle-memory-trim.js';

const MB = 1024 * 1024;
const policy = { idleCpuShare: 0.05, minIdleIntervals: 3, minGrowthBytes: 16 * MB };
const idle: TrimSample = { idleBefore: 2, cpuMicros: 10_000, wallMicros: 1_000_000, heapTotal: 200 * MB, heapTotalAfterTrim: 100 * MB };

/** A plain forced GC, for setting the scene (the trim itself needs none of this). */
function plainGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const heapTotal = () => process.memoryUsage().heapTotal;
const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
const rssBytes = () => Number(/^Rss:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))![1]) * 1024;

test('decideTrim: idle seconds in a row after growth trim', () => {
  assert.equal(decideTrim(idle, policy), true);
  assert.equal(decideTrim({ ...idle, idleBefore: 7 }, policy), true);
});

test('decideTrim: fewer idle intervals in a row than the policy asks do not trim', () => {
  assert.equal(decideTrim({ ...idle, idleBefore: 1 }, policy), false);
  assert.equal(decideTrim({ ...idle, idleBefore: 0 }, policy), false);
});

test('decideTrim: a busy second does not trim, however much the heap grew', () => {
  assert.equal(decideTrim({ ...idle, cpuMicros: 50_000 }, policy), false);
  assert.equal(decideTrim({ ...idle, cpuMicros: 900_000 }, policy), false);
});

test('decideTrim: growth below the threshold (or a heap that shrank) does not trim; the first trim counts from zero', () => {
  assert.equal(decideTrim({ ...idle, heapTotal: 100 * MB + 16 * MB - 1 }, policy), false);
  assert.equal(decideTrim({ ...idle, heapTotal: 100 * MB + 16 * MB }, policy), true);
  assert.equal(decideTrim({ ...idle, heapTotal: 50 * MB }, policy), false);
  assert.equal(decideTrim({ ...idle, heapTotal: 20 * MB, heapTotalAfterTrim: 0 }, policy), true);
});

test('decideTrim: an empty interval decides nothing', () => {
  assert.equal(decideTrim({ ...idle, cpuMicros: 0, wallMicros: 0 }, policy), false);
});

test('trimMemory: a heap fragmented by interleaved garbage, with a grown young generation, is given back', () => {
  const native = loadNativeTrim();
  assert.ok(native, 'npm ci builds build/Release/memory_trim.node');
  const gc = plainGc();
  gc();
  // objects promoted together, two in three then dropped: every old-space page left a third full
  let all: Array<{ i: number; s: string }> | undefined = [];
  for (let i = 0; i < 600_000; i++) all.push({ i, s: `x${i}` });
  gc(); // promote
  const kept = all.filter((_, i) => i % 3 === 0);
  all = undefined;
  for (let i = 0; i < 3; i++) gc(); // plain full GCs: sweep, move a few sparse pages, keep the rest committed
  // survivors across scavenges grow the young generation
  let churn: Array<Array<{ r: number }>> = [];
  for (let r = 0; r < 40; r++) {
    churn.push(Array.from({ length: 50_000 }, () => ({ r })));
    if (churn.length > 4) churn.shift();
  }
  churn = [];
  const grownYoung = youngBytes();
  const { before, after } = trimMemory(native, heapTotal);
  assert.equal(kept.length, 200_000);
  assert.ok(after < before - 16 * MB, `the trim gave back what plain GCs kept: ${Math.round(before / MB)} MB -> ${Math.round(after / MB)} MB`);
  assert.ok(grownYoung > 4 * MB && youngBytes() <= 2 * MB,
    `the young generation shrank: ${Math.round(grownYoung / MB)} MB -> ${Math.round(youngBytes() / MB)} MB`);
  gc(); // the compaction flag is off again: a plain GC still works and every live object is intact
  assert.equal(kept[199_999]!.s, 'x599997');
});

test('trimMemory: freed buffers in the middle of malloc\'s heap go back to the system', { skip: process.platform !== 'linux' }, () => {
  const native = loadNativeTrim()!;
  const gc = plainGc();
  // 24,000 buffers of 2 kB each (malloc, below its mmap threshold), one in eight kept: the free
  // space lies between live chunks, where glibc keeps it until malloc_trim
  let buffers: Buffer[] | undefined = Array.from({ length: 24_000 }, (_, i) => Buffer.allocUnsafeSlow(2048).fill(i & 0xff));
  const kept = buffers.filter((_, i) => i % 8 === 0);
  buffers = undefined;
  gc();
  gc();
  const before = rssBytes();
  const { mallocTrimmed } = trimMemory(native, heapTotal, true); // the thorough kind (first trim after startup)
  const after = rssBytes();
  assert.equal(kept.length, 3000);
  assert.equal(mallocTrimmed, true);
  assert.ok(after < before - 16 * MB, `RSS ${Math.round(before / MB)} MB -> ${Math.round(after / MB)} MB`);
});
