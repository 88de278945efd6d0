import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStartFlags } from '../../../../src/app/commands/start-command.js';

test('start flags: switches turn off digest and the idle memory trim; absent flags leave the config alone', () => {
  assert.deepEqual(
    [parseStartFlags(['--no-digest', '--no-idle-trim']).requireDigest, parseStartFlags(['--no-idle-trim']).idleMemoryTrim],
    [false, false],
  );
  const plain = parseStartFlags(['--sip-port', '5070']);
  assert.equal(plain.sipPort, 5070);
  assert.equal(plain.idleMemoryTrim, undefined);
  assert.equal(plain.requireDigest, undefined);
  assert.throws(() => parseStartFlags(['--sip-port', '70000']), /not a port/);
});
