/** Call routing over the caller's calling CSS, Replaces parsing/matching, and the leg FSM tables. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  resolveCallTarget, cssReachesLine, parseReplaces, replacesMatches,
  transitionOutbound, transitionInbound, OUTBOUND_TABLE, IllegalCallTransition, calleeVisible,
} from '../../../../src/adapters/b2bua/index.js';
import { sampleDirectory } from '../../core/sample-directory.js';

const dir = sampleDirectory();
const dev = (n: string) => dir.devices.get(n)!;

const ROUTE_CASES: Array<{ name: string; caller: string; uri: string; expect: Record<string, unknown> }> = [
  { name: 'internal DN', caller: 'SEP000000001001', uri: 'sip:1002@acme.test', expect: { kind: 'line', line: '1002/Internal_PT', dn: '1002' } },
  { name: 'DN via IP host', caller: 'SEP000000001001', uri: 'sip:1002@127.0.0.1:5060', expect: { kind: 'line', line: '1002/Internal_PT' } },
  { name: 'exec DN reachable by internal CSS', caller: 'SEP000000001001', uri: 'sip:2001@acme.test', expect: { kind: 'line', line: '2001/Exec_PT' } },
  { name: 'unknown DN', caller: 'SEP000000001001', uri: 'sip:9999@acme.test', expect: { kind: 'none' } },
  { name: 'route pattern → trunk', caller: 'SEP000000001001', uri: 'sip:8123@acme.test', expect: { kind: 'route', trunk: 'cluster-b', pattern: '8XXX' } },
  { name: 'SIP route pattern → trunk', caller: 'SEP000000001001', uri: 'sip:bob@partner.test', expect: { kind: 'route', trunk: 'partner' } },
  { name: 'Cisco BLF pickup service URI', caller: 'SEP000000001001', uri: 'sip:x-cisco-serviceuri-blfpickup-1002@acme.test', expect: { kind: 'pickup', line: '1002/Internal_PT', dn: '1002' } },
  { name: 'tel: is not routable', caller: 'SEP000000001001', uri: 'tel:1002', expect: { kind: 'none' } },
];

for (const c of ROUTE_CASES) {
  test(`resolveCallTarget: ${c.name}`, () => {
    const got = resolveCallTarget(dir, dev(c.caller), c.uri) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(got[k], v, `${k} of ${JSON.stringify(got)}`);
  });
}

test('resolveCallTarget: a shared line lists every appearance', () => {
  const got = resolveCallTarget(dir, dev('SEP000000001001'), 'sip:2001@acme.test');
  assert.equal(got.kind, 'line');
  if (got.kind === 'line') assert.deepEqual(got.appearances, [{ device: 'SEP000000001005', index: 2 }, { device: 'SEP000000002001', index: 1 }]);
});

test('cssReachesLine: a <None> calling CSS reaches no partitioned line', () => {
  assert.equal(cssReachesLine(dir, dev('SEP000000001001'), '1002/Internal_PT'), true);
  const noCss = { ...dev('SEP000000001001'), callingCss: null };
  assert.equal(cssReachesLine(dir, noCss, '1002/Internal_PT'), false);
});

const REPLACES_CASES: Array<[string, ReturnType<typeof parseReplaces>]> = [
  ['abc@h;to-tag=t1;from-tag=f1', { callId: 'abc@h', toTag: 't1', fromTag: 'f1', earlyOnly: false }],
  ['abc@h;from-tag=f1;to-tag=t1;early-only', { callId: 'abc@h', toTag: 't1', fromTag: 'f1', earlyOnly: true }],
  ['abc@h;to-tag=t1', null],
  [';to-tag=t1;from-tag=f1', null],
];
for (const [text, expect] of REPLACES_CASES) {
  test(`parseReplaces: ${text}`, () => assert.deepEqual(parseReplaces(text), expect));
}

test('replacesMatches: both tag orders, never without both tags', () => {
  const r = parseReplaces('c1;to-tag=L;from-tag=R')!;
  assert.equal(replacesMatches(r, { callId: 'c1', localTag: 'L', remoteTag: 'R' }), true);
  assert.equal(replacesMatches(r, { callId: 'c1', localTag: 'R', remoteTag: 'L' }), true);
  assert.equal(replacesMatches(r, { callId: 'c1', localTag: 'L' }), false);
  assert.equal(replacesMatches(r, { callId: 'c2', localTag: 'L', remoteTag: 'R' }), false);
});

const LEG_FLOWS: Array<{ name: string; inputs: Parameters<typeof transitionOutbound>[1][]; end: string }> = [
  { name: 'ring then answer then bye', inputs: ['trying-1xx', 'ringing-1xx', 'answer-2xx', 'bye-received'], end: 'terminated' },
  { name: 'cancelled while ringing', inputs: ['ringing-1xx', 'cancel', 'reject-final'], end: 'terminated' },
  { name: '2xx races CANCEL', inputs: ['ringing-1xx', 'cancel', 'answer-2xx', 'bye-sent'], end: 'terminated' },
  { name: 'busy', inputs: ['trying-1xx', 'reject-final'], end: 'terminated' },
  { name: 'no answer at all', inputs: ['timeout'], end: 'terminated' },
  { name: 'retransmitted 2xx', inputs: ['answer-2xx', 'answer-2xx'], end: 'confirmed' },
];
for (const f of LEG_FLOWS) {
  test(`outbound leg: ${f.name}`, () => {
    assert.equal(f.inputs.reduce<ReturnType<typeof transitionOutbound>>((s, i) => transitionOutbound(s, i), 'trying'), f.end);
  });
}

test('leg tables: illegal moves throw (our bug, not the peer\'s)', () => {
  assert.throws(() => transitionOutbound('trying', 'bye-sent'), IllegalCallTransition);
  assert.throws(() => transitionInbound('confirmed', 'relay-18x'), IllegalCallTransition);
  assert.equal(transitionInbound('trying', 'relay-18x'), 'early');
  // Rule 2: every peer-driven input is handled in every state where a peer can send it late
  for (const s of ['terminated', 'cancelling'] as const) for (const i of ['trying-1xx', 'ringing-1xx', 'answer-2xx', 'reject-final'] as const) assert.ok(OUTBOUND_TABLE[s][i]);
});

test('calleeVisible: recipient shown from early on only', () => {
  assert.deepEqual(
    (['trying', 'proceeding', 'early', 'confirmed'] as const).map((s) => calleeVisible(s, false)),
    [false, false, true, true],
  );
  assert.equal(calleeVisible('terminated', false), false);
  assert.equal(calleeVisible('terminated', true), true);
});
