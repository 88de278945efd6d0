/** The dialog-info reader over the golden documents in fixtures/dialog-info (one row per file). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDialogInfo } from '../../../../src/core/index.js';

const ROWS: ReadonlyArray<readonly [file: string, states: string[]]> = [
  ['idle.xml', ['terminated']],
  ['unknown.xml', ['terminated']],
  ['ringing-pickup.xml', ['early']],
  ['held.xml', ['confirmed']],
  ['two-calls.xml', ['confirmed', 'early']],
];

for (const [file, states] of ROWS) {
  test(`dialog-info ${file} → ${states.join(', ')}`, () => {
    const parsed = parseDialogInfo(readFileSync(`fixtures/dialog-info/${file}`, 'utf8'), 'sip:2001@acme.test');
    assert.ok('dialogs' in parsed, JSON.stringify(parsed));
    assert.deepEqual(parsed.dialogs.map((d) => d.state).sort(), [...states].sort());
  });
}

test('the <dialog-info> root is not read as a <dialog>', () => {
  const parsed = parseDialogInfo('<dialog-info version="1" state="full" entity="sip:a@b"></dialog-info>', 'sip:a@b');
  assert.deepEqual(parsed, { dialogs: [] });
});

test('a dialog without a state is a peer error', () => {
  const parsed = parseDialogInfo('<dialog-info><dialog id="x"></dialog></dialog-info>', 'sip:a@b');
  assert.ok('error' in parsed);
});
