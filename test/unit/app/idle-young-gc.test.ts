import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DEFAULT_YOUNG_CLEAN_POLICY, decideYoungClean, loadMinorGc, youngGenerationUsed } from '../../../src/app/idle-young-gc.js';

const MB = 1024 * 1024;

test('young clean: only when the interval was idle and the young generation holds enough', () => {
  const quiet = { cpuMicros: 1_000, wallMicros: 250_000 };
  assert.equal(decideYoungClean({ ...quiet, youngUsedBytes: 5 * MB }), true);
  assert.equal(decideYoungClean({ ...quiet, youngUsedBytes: 0.5 * MB }), false, 'little to gain');
  assert.equal(decideYoungClean({ cpuMicros: 20_000, wallMicros: 250_000, youngUsedBytes: 5 * MB }), false, '8 % of a core is not idle');
  assert.equal(decideYoungClean({ cpuMicros: 0, wallMicros: 0, youngUsedBytes: 5 * MB }), false, 'no interval yet');
  assert.equal(DEFAULT_YOUNG_CLEAN_POLICY.minUsedBytes, MB);
});

test('young clean: the minor GC empties the young generation of garbage, and gc stays off this global', () => {
  const minorGc = loadMinorGc();
  assert.ok(minorGc, 'V8 gave a gc function');
  assert.equal((globalThis as { gc?: unknown }).gc, undefined);
  minorGc();
  let keep = '';
  // garbage until the young generation holds 1 MB more than the scavenge left (bounded)
  const floor = youngGenerationUsed();
  for (let i = 0; i < 200_000 && youngGenerationUsed() < floor + MB; i++) keep = `${i}:${'x'.repeat(256)}`.toUpperCase();
  const before = youngGenerationUsed();
  minorGc();
  const after = youngGenerationUsed();
  assert.ok(before >= floor + MB, `garbage in the young generation (${before} after ${floor})`);
  assert.ok(after < before - MB / 2, `a scavenge left ${after} of ${before} bytes`);
  assert.ok(keep.length > 0);
});
