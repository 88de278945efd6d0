import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineInput } from '../../../src/core/index.js';
import { EngineDriver, type DrivableEngine } from '../../../src/app/engine-driver.js';
import type { Logger } from '../../../src/app/logger.js';

type E = { readonly type: 'send'; readonly n: number };

function recordingLogger(errors: string[]): Logger {
  const l: Logger = { error: (m) => void errors.push(m), warn: () => {}, info: () => {}, debug: () => {}, child: () => l };
  return l;
}

/** A scripted engine: for each input, pushes `count` effects and records what the handlers had seen by then. */
function scriptedEngine(count: number, trace: string[], opts: { throwOn?: string } = {}): DrivableEngine<E> {
  return {
    handleInto(input: EngineInput, _now, out) {
      if (input.type === opts.throwOn) throw new Error('engine bug');
      for (let n = 1; n <= count; n++) {
        trace.push(`engine ${input.type} ${n}`);
        out.push({ type: 'send', n });
      }
    },
    nextDeadline: () => undefined,
  };
}

test('each effect is dispatched as the engine decides it (the first NOTIFY leaves before the last is built)', () => {
  const trace: string[] = [];
  const driver = new EngineDriver<E>(scriptedEngine(3, trace), recordingLogger([]));
  driver.on('send', (e) => void trace.push(`sent ${e.n}`));
  driver.submit({ type: 'tick' });
  assert.deepEqual(trace, ['engine tick 1', 'sent 1', 'engine tick 2', 'sent 2', 'engine tick 3', 'sent 3']);
});

test('an input submitted from a handler runs after the current input is done (run to completion)', () => {
  const trace: string[] = [];
  const driver = new EngineDriver<E>(scriptedEngine(2, trace), recordingLogger([]));
  let nested = false;
  driver.on('send', (e) => {
    trace.push(`sent ${e.n}`);
    if (!nested) {
      nested = true;
      driver.submit({ type: 'directory-replaced' } as EngineInput);
      trace.push('nested submit returned');
    }
  });
  driver.submit({ type: 'tick' });
  assert.deepEqual(trace, [
    'engine tick 1', 'sent 1', 'nested submit returned', 'engine tick 2', 'sent 2',
    'engine directory-replaced 1', 'sent 1', 'engine directory-replaced 2', 'sent 2',
  ]);
});

test('an engine that throws is logged; the driver keeps working and handler failures stay isolated', () => {
  const trace: string[] = [];
  const errors: string[] = [];
  const driver = new EngineDriver<E>(scriptedEngine(2, trace, { throwOn: 'tick' }), recordingLogger(errors));
  driver.on('send', (e) => {
    trace.push(`sent ${e.n}`);
    if (e.n === 1) throw new Error('handler bug');
  });
  driver.submit({ type: 'tick' });
  assert.deepEqual(errors, ['engine failed on an input']);
  driver.submit({ type: 'directory-replaced' } as EngineInput);
  assert.deepEqual(trace, ['engine directory-replaced 1', 'sent 1', 'engine directory-replaced 2', 'sent 2']);
  assert.deepEqual(errors, ['engine failed on an input', 'effect handler failed']);
});

test('a closed driver takes no input', () => {
  const trace: string[] = [];
  const driver = new EngineDriver<E>(scriptedEngine(1, trace), recordingLogger([]));
  driver.close();
  driver.submit({ type: 'tick' });
  assert.deepEqual(trace, []);
});
