/** `blfgw explain` on the sample dialplan: the exec, contractor, restricted, no-CSS and trunk cases of issue 2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDirectory, type Directory } from '../../../../src/core/index.js';
import { loadDialplan } from '../../../../src/adapters/dialplan-files/index.js';
import { explainPresence, parseTarget } from '../../../../src/app/commands/explain-command.js';

async function sampleDirectory(): Promise<Directory> {
  const loaded = await loadDialplan('dialplans');
  assert.ok(loaded.ok, 'the sample dialplan loads');
  return buildDirectory(loaded.parts);
}

const CASES = [
  { watcher: 'SEP000000001005', target: '2001', callList: false, summary: 'ALLOW line 2001/Exec_PT', kind: 'blf-speed-dial', why: "assistant's BLF speed dial to the exec" },
  { watcher: 'SEP000000003001', target: '2001', callList: false, summary: 'ALLOW line 2001/Exec_PT', kind: 'blf-speed-dial', why: 'BLF speed dials are exempt from presence groups' },
  { watcher: 'SEP000000003001', target: '2002', callList: false, summary: 'REJECT presence-group-disallowed', kind: 'call-list', why: 'Contractors→Executives is Disallowed' },
  { watcher: 'SEP000000003001', target: '2001', callList: true, summary: 'REJECT presence-group-disallowed', kind: 'call-list', why: 'forced call-list presence is subject to the groups' },
  { watcher: 'SEP000000001001', target: '2002', callList: false, summary: 'ALLOW line 2002/Exec_PT', kind: 'call-list', why: 'Standard may see Executives by system default' },
  { watcher: 'SEP000000001006', target: '2001', callList: false, summary: 'REJECT user-unknown', kind: 'call-list', why: 'Restricted_CSS holds Internal_PT only' },
  { watcher: 'SEP000000001006', target: '1002', callList: false, summary: 'ALLOW line 1002/Internal_PT', kind: 'call-list', why: 'Restricted_CSS reaches Internal_PT' },
  { watcher: 'SEP000000001009', target: '1001', callList: false, summary: 'REJECT user-unknown', kind: 'call-list', why: '<None> SUBSCRIBE CSS' },
  { watcher: 'SEP000000001001', target: '8123', callList: false, summary: 'ROUTE trunk cluster-b', kind: 'call-list', why: 'route pattern 8XXX' },
  { watcher: 'SEP000000001001', target: 'alice@partner.test', callList: false, summary: 'ROUTE trunk partner', kind: 'call-list', why: 'SIP route pattern partner.test' },
  { watcher: 'SEP000000001001', target: 'sip:1002@acme.test', callList: false, summary: 'ALLOW line 1002/Internal_PT', kind: 'call-list', why: 'a cluster URI is its DN' },
  { watcher: 'SEP000000001001', target: '7777', callList: false, summary: 'REJECT user-unknown', kind: 'call-list', why: 'no partition holds it' },
] as const;

test('explain gives the expected decision for each sample case', async (t) => {
  const dir = await sampleDirectory();
  for (const c of CASES) {
    await t.test(`${c.watcher} → ${c.target}${c.callList ? ' (call list)' : ''}: ${c.why}`, () => {
      const e = explainPresence(dir, c.watcher, c.target, c.callList);
      assert.ok(e, 'watcher is known');
      assert.equal(e.summary, c.summary, e.decision.trace.join('\n'));
      assert.equal(e.kind, c.kind);
      assert.ok(e.decision.trace.length >= 2, 'the trace says what was checked');
    });
  }
});

test('explain names no watcher it does not know', async () => {
  assert.equal(explainPresence(await sampleDirectory(), 'SEPDEADBEEF0000', '1001', false), undefined);
});

test('targets: digits are DNs, anything else a SIP URI', () => {
  assert.deepEqual(parseTarget('2001'), { kind: 'dn', dn: '2001' });
  assert.deepEqual(parseTarget('alice@partner.test'), { kind: 'uri', uri: 'sip:alice@partner.test' });
  assert.deepEqual(parseTarget('sips:bob@x.test'), { kind: 'uri', uri: 'sips:bob@x.test' });
});
