import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverJitFlags, SERVER_INTERRUPT_BUDGET } from '../../../src/app/jit-tiering.js';

test('blfgw start lowers V8\'s interrupt budget unless node was given one (Rule 1)', () => {
  assert.deepEqual(serverJitFlags([]), [`--interrupt-budget=${SERVER_INTERRUPT_BUDGET}`]);
  assert.deepEqual(serverJitFlags(['--import', 'tsx', '--max-old-space-size=512']), [`--interrupt-budget=${SERVER_INTERRUPT_BUDGET}`]);
  assert.deepEqual(serverJitFlags(['--interrupt-budget=65536']), []);
  assert.deepEqual(serverJitFlags(['--interrupt_budget', '8192']), []);
  assert.ok(SERVER_INTERRUPT_BUDGET < 67_584, 'below V8\'s default');
});
