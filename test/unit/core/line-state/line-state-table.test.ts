import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateBlfState,
  aggregateUserState,
  LineStateTable,
  type BlfState,
  type DialogDirection,
  type DialogState,
  type LineDialog,
} from '../../../../src/core/index.js';
import { sampleDirectory } from '../sample-directory.js';

function dialog(id: string, state: DialogState, direction: DialogDirection = 'recipient'): LineDialog {
  return {
    id,
    callId: `call-${id}@acme.test`,
    localTag: `lt-${id}`,
    remoteTag: `rt-${id}`,
    direction,
    state,
    local: { uri: 'sip:2001@acme.test' },
    remote: { uri: 'sip:1001@acme.test', display: 'Front Desk' },
  };
}

const aggRows: ReadonlyArray<readonly [string, LineDialog[], number, number, number, boolean, BlfState, boolean]> = [
  // name, dialogs, devices, registered, dnd, depictsDnd, state, dndFlag
  ['no device registered', [], 1, 0, 0, false, 'unknown', false],
  ['registered, no calls', [], 1, 1, 0, false, 'idle', false],
  ['incoming early', [dialog('a', 'early', 'recipient')], 1, 1, 0, false, 'ringing', false],
  ['outgoing early (ringback)', [dialog('a', 'early', 'initiator')], 1, 1, 0, false, 'busy', false],
  ['trying', [dialog('a', 'trying', 'initiator')], 1, 1, 0, false, 'busy', false],
  ['proceeding', [dialog('a', 'proceeding', 'initiator')], 1, 1, 0, false, 'busy', false],
  ['confirmed', [dialog('a', 'confirmed')], 1, 1, 0, false, 'busy', false],
  ['busy plus a second call alerting', [dialog('a', 'confirmed'), dialog('b', 'early')], 1, 1, 0, false, 'ringing', false],
  ['terminated dialog counts for nothing', [dialog('a', 'terminated')], 1, 1, 0, false, 'idle', false],
  ['dnd on every device, parameter on', [], 2, 2, 2, true, 'dnd', true],
  ['dnd on one of two devices', [], 2, 2, 1, true, 'idle', false],
  ['dnd everywhere but parameter off', [], 1, 1, 1, false, 'idle', false],
  ['dnd and busy: busy shown, dnd flagged', [dialog('a', 'confirmed')], 1, 1, 1, true, 'busy', true],
  ['one of two devices registered', [], 2, 1, 0, false, 'idle', false],
];
for (const [name, dialogs, devices, registeredDevices, dndDevices, blfStatusDepictsDnd, state, dnd] of aggRows) {
  test(`aggregateBlfState: ${name}`, () => {
    assert.deepEqual(aggregateBlfState({ dialogs, devices, registeredDevices, dndDevices, blfStatusDepictsDnd }), { state, dnd });
  });
}

const userRows: ReadonlyArray<readonly [BlfState[], BlfState]> = [
  [[], 'unknown'],
  [['unknown', 'idle'], 'idle'],
  [['idle', 'busy'], 'busy'],
  [['busy', 'ringing'], 'ringing'],
  [['idle', 'dnd'], 'dnd'],
];
for (const [states, expected] of userRows) {
  test(`aggregateUserState(${states.join(',')}) = ${expected}`, () => assert.equal(aggregateUserState(states), expected));
}

const EXEC = { device: 'SEP000000002001', index: 1 };
const ASSISTANT = { device: 'SEP000000001005', index: 2 };

test('shared line: ringing on one appearance rings the line; answered on another is busy', () => {
  const dir = sampleDirectory();
  const t = new LineStateTable();
  assert.deepEqual(t.applyRegistration(dir, 'SEP000000002001', true).map((c) => [c.line, c.old, c.new]), [['2001/Exec_PT', 'unknown', 'idle']]);
  const changes = t.applyRegistration(dir, 'SEP000000001005', true).map((c) => [c.line, c.old, c.new]);
  assert.deepEqual(changes, [['1005/Internal_PT', 'unknown', 'idle']], 'the shared line was already idle: no change');
  const ring = t.applyCallEvent(dir, EXEC, dialog('x1', 'early'));
  assert.deepEqual(ring.map((c) => [c.line, c.old, c.new, c.dialogs.length]), [['2001/Exec_PT', 'idle', 'ringing', 1]]);
  const ring2 = t.applyCallEvent(dir, ASSISTANT, dialog('x2', 'early'));
  assert.deepEqual(ring2.map((c) => [c.old, c.new, c.dialogs.map((d) => d.id)]), [['ringing', 'ringing', ['x2', 'x1']]]);
  t.applyCallEvent(dir, EXEC, dialog('x1', 'terminated'));
  const answered = t.applyCallEvent(dir, ASSISTANT, dialog('x2', 'confirmed'));
  assert.deepEqual(answered.map((c) => [c.old, c.new]), [['ringing', 'busy']]);
  const hung = t.applyCallEvent(dir, ASSISTANT, dialog('x2', 'terminated'));
  assert.deepEqual(hung.map((c) => [c.old, c.new, c.dialogs.length]), [['busy', 'idle', 0]]);
});

test('two calls on one line: busy until both end', () => {
  const dir = sampleDirectory();
  const t = new LineStateTable();
  t.applyRegistration(dir, 'SEP000000001001', true);
  const app = { device: 'SEP000000001001', index: 1 };
  t.applyCallEvent(dir, app, dialog('a', 'confirmed'));
  const second = t.applyCallEvent(dir, app, dialog('b', 'confirmed', 'initiator'));
  assert.deepEqual(second.map((c) => [c.old, c.new, c.dialogs.length]), [['busy', 'busy', 2]]);
  const firstEnds = t.applyCallEvent(dir, app, dialog('a', 'terminated'));
  assert.deepEqual(firstEnds.map((c) => [c.old, c.new, c.dialogs.length]), [['busy', 'busy', 1]]);
  const secondEnds = t.applyCallEvent(dir, app, dialog('b', 'terminated'));
  assert.deepEqual(secondEnds.map((c) => [c.old, c.new]), [['busy', 'idle']]);
});

test('unregistered device: its line is unknown; a shared line stays known while another device is up', () => {
  const dir = sampleDirectory();
  const t = new LineStateTable();
  t.applyRegistration(dir, 'SEP000000002001', true);
  t.applyRegistration(dir, 'SEP000000001005', true);
  assert.deepEqual(t.applyRegistration(dir, 'SEP000000002001', false), []);
  const down = t.applyRegistration(dir, 'SEP000000001005', false).map((c) => [c.line, c.old, c.new]);
  assert.deepEqual(down, [['1005/Internal_PT', 'idle', 'unknown'], ['2001/Exec_PT', 'idle', 'unknown']]);
  assert.equal(t.snapshot(dir, '1001/Internal_PT').state, 'unknown');
});

test('DND on every device of a line shows dnd when the parameter is on', () => {
  const dir = sampleDirectory({ blfStatusDepictsDnd: true });
  const t = new LineStateTable();
  t.applyRegistration(dir, 'SEP000000002001', true);
  t.applyRegistration(dir, 'SEP000000001005', true);
  const one = t.applyDnd(dir, 'SEP000000002001', true);
  assert.deepEqual(one, [], 'one device of the shared line is not enough');
  const both = t.applyDnd(dir, 'SEP000000001005', true).map((c) => [c.line, c.new]);
  assert.deepEqual(both, [['1005/Internal_PT', 'dnd'], ['2001/Exec_PT', 'dnd']]);
});

test('call event for an appearance the directory does not know is ignored', () => {
  const t = new LineStateTable();
  assert.deepEqual(t.applyCallEvent(sampleDirectory(), { device: 'SEP000000001001', index: 9 }, dialog('z', 'early')), []);
});
