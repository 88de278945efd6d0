/** Render cases shared by the golden-file tests (one fixture file per case). */
import type { LineDialog, LineSnapshot } from '../../../../src/core/index.js';

const ringing: LineDialog = {
  id: 'd-2001-7',
  callId: 'b2b-7f3a@acme.test',
  localTag: 'pt-91',
  remoteTag: 'gw-22',
  direction: 'recipient',
  state: 'early',
  local: { uri: 'sip:2001@acme.test' },
  remote: { uri: 'sip:1005@acme.test', display: 'Front Desk' },
};
const connected: LineDialog = {
  ...ringing,
  id: 'd-2001-8',
  callId: 'b2b-"8"&<x>@acme.test',
  localTag: 'pt-92',
  remoteTag: 'gw-23',
  direction: 'initiator',
  state: 'confirmed',
  remote: { uri: 'sip:1001@acme.test', display: 'Bob "the builder" & Co <sales>' },
};
const held: LineDialog = { ...connected, id: 'd-2001-9', callId: 'b2b-9@acme.test', held: true };

function snap(state: LineSnapshot['state'], dialogs: LineDialog[], dnd = false): LineSnapshot {
  return { line: '2001/Exec_PT', dn: '2001', state, dnd, dialogs };
}

export const ENTITY = 'sip:2001@acme.test';

export const DIALOG_INFO_CASES: ReadonlyArray<{ name: string; version: number; snapshot: LineSnapshot; single?: boolean }> = [
  { name: 'idle', version: 0, snapshot: snap('idle', []) },
  { name: 'unknown', version: 3, snapshot: snap('unknown', []) },
  { name: 'ringing-pickup', version: 5, snapshot: snap('ringing', [ringing]) },
  { name: 'busy-escaped', version: 6, snapshot: snap('busy', [connected]) },
  { name: 'held', version: 7, snapshot: snap('busy', [held]) },
  { name: 'two-calls', version: 8, snapshot: snap('ringing', [connected, ringing]) },
  { name: 'two-calls-single-dialog', version: 8, snapshot: snap('ringing', [connected, ringing]), single: true },
];

export const PIDF_CASES: ReadonlyArray<{ name: string; snapshot: LineSnapshot }> = [
  { name: 'idle', snapshot: snap('idle', []) },
  { name: 'ringing', snapshot: snap('ringing', [ringing]) },
  { name: 'busy', snapshot: snap('busy', [connected]) },
  { name: 'dnd', snapshot: snap('dnd', [], true) },
  { name: 'busy-dnd', snapshot: snap('busy', [connected], true) },
  { name: 'unknown', snapshot: snap('unknown', []) },
];
