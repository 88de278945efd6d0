// Issue 6: documents the PUBLISH trunk sends (status mapping of blf-facts §2: on the phone, busy,
// available, DND, offline; dialog-info per line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderUserDialogInfo, renderUserPidf, telephonyStatusOf, type TelephonyStatus } from '../../../../src/adapters/trunk/index.js';
import type { BlfState } from '../../../../src/core/index.js';

const rows: [BlfState, BlfState[], TelephonyStatus, string, string[]][] = [
  ['idle', ['idle'], 'available', 'open', []],
  ['ringing', ['ringing', 'idle'], 'alerting', 'open', ['<ce:alerting/>']],
  ['busy', ['busy', 'idle'], 'on-the-phone', 'open', ['<e:on-the-phone/>']],
  ['busy', ['busy', 'busy'], 'busy', 'open', ['<e:on-the-phone/><e:busy/>']],
  ['dnd', ['dnd'], 'dnd', 'open', ['<ce:dnd/>']],
  ['unknown', ['unknown'], 'offline', 'closed', []],
];

for (const [state, lines, status, basic, activities] of rows) {
  test(`user ${state} over [${lines.join(', ')}] → ${status}`, () => {
    const ls = lines.map((s, i) => ({ dn: `100${i}`, state: s }));
    assert.equal(telephonyStatusOf(state, ls), status);
    const doc = renderUserPidf('sip:alice@acme.test', 'alice', status);
    assert.ok(doc.includes(`<basic>${basic}</basic>`));
    assert.ok(doc.includes('xmlns:e="urn:ietf:params:xml:ns:pidf:status:rpid"'));
    for (const a of activities) assert.ok(doc.includes(`<e:activities>${a}</e:activities>`), a);
    if (activities.length === 0) assert.ok(!doc.includes('activities'));
  });
}

test('dialog-info: one dialog per line with a call, ringing → early recipient, busy → confirmed, idle lines none', () => {
  const doc = renderUserDialogInfo('sip:alice@acme.test', [
    { dn: '1001', state: 'ringing' }, { dn: '1002', state: 'busy' }, { dn: '1003', state: 'unknown' },
  ], 3);
  assert.ok(doc.includes('version="3" state="full" entity="sip:alice@acme.test"'));
  assert.ok(doc.includes('<dialog id="line-1001" direction="recipient"><state>early</state></dialog>'));
  assert.ok(doc.includes('<dialog id="line-1002"><state>confirmed</state></dialog>'));
  assert.ok(!doc.includes('line-1003'));
  assert.ok(!doc.includes('terminated'));
});
