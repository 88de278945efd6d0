import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDirectory,
  classifySubscribeKind,
  decide,
  STANDARD_PRESENCE_GROUP,
  type PresentityRef,
  type ServiceParameters,
  type SubscribeKind,
  type WatcherRef,
} from '../../../../src/core/index.js';
import { ORIGIN, appearance, device, sampleDirectory, sampleParts } from '../sample-directory.js';

const dev = (name: string): WatcherRef => ({ kind: 'device', name });
const dn = (d: string): PresentityRef => ({ kind: 'dn', dn: d });
const uri = (u: string): PresentityRef => ({ kind: 'uri', uri: u });

interface Row {
  readonly name: string;
  readonly params?: Partial<ServiceParameters>;
  readonly watcher: WatcherRef;
  readonly target: PresentityRef;
  readonly kind: SubscribeKind;
  /** 'allow <line>' | 'route <trunk>' | 'reject <reason>' */
  readonly expect: string;
  /** fragments the trace must contain */
  readonly trace?: readonly string[];
}

const rows: readonly Row[] = [
  { name: 'same group, DN in first partition', watcher: dev('SEP000000001001'), target: dn('1002'), kind: 'call-list', expect: 'allow 1002/Internal_PT', trace: ["device's SUBSCRIBE CSS Internal_CSS", 'partition Internal_PT: DN 1002 found'] },
  { name: 'DN found in a later partition', watcher: dev('SEP000000001001'), target: dn('2001'), kind: 'call-list', expect: 'allow 2001/Exec_PT', trace: ['partition Internal_PT: no DN', 'partition Exec_PT: DN 2001 found', 'Use System Default → Inter-Presence Group Subscribe Policy is allow'] },
  { name: 'system default disallow blocks another group', params: { interPresenceGroupPolicy: 'disallow' }, watcher: dev('SEP000000001001'), target: dn('2001'), kind: 'call-list', expect: 'reject presence-group-disallowed' },
  { name: 'a group always sees itself, even with policy disallow', params: { interPresenceGroupPolicy: 'disallow' }, watcher: dev('SEP000000001001'), target: dn('1002'), kind: 'call-list', expect: 'allow 1002/Internal_PT', trace: ['always sees itself'] },
  { name: 'explicit Allow beats system default disallow', params: { interPresenceGroupPolicy: 'disallow' }, watcher: dev('SEP000000003001'), target: dn('1001'), kind: 'call-list', expect: 'allow 1001/Internal_PT', trace: ['Contractors → Standard Presence Group: Allow Subscription'] },
  { name: 'Disallowed blocks call-list even when the CSS allows', watcher: dev('SEP000000003001'), target: dn('2001'), kind: 'call-list', expect: 'reject presence-group-disallowed', trace: ['partition Exec_PT: DN 2001 found', 'Disallow Subscription'] },
  { name: 'BLF speed dial is exempt from presence groups', watcher: dev('SEP000000003001'), target: dn('2001'), kind: 'blf-speed-dial', expect: 'allow 2001/Exec_PT', trace: ['presence groups do not apply'] },
  { name: 'restricted CSS does not reach Exec_PT', watcher: dev('SEP000000001006'), target: dn('2001'), kind: 'call-list', expect: 'reject user-unknown', trace: ['Restricted_CSS', 'partition Internal_PT: no DN', 'partition <None>: no DN'] },
  { name: 'restricted CSS does not reach Exec_PT for BLF speed dials either', watcher: dev('SEP000000001006'), target: dn('2001'), kind: 'blf-speed-dial', expect: 'reject user-unknown' },
  { name: '<None> SUBSCRIBE CSS is user unknown', watcher: dev('SEP000000001009'), target: dn('1001'), kind: 'call-list', expect: 'reject user-unknown', trace: ['<None>'] },
  { name: 'unknown DN is user unknown', watcher: dev('SEP000000001001'), target: dn('9999'), kind: 'call-list', expect: 'reject user-unknown' },
  { name: 'unknown watcher is user unknown', watcher: dev('SEPDEADBEEF0000'), target: dn('1001'), kind: 'call-list', expect: 'reject user-unknown', trace: ['not in the directory'] },
  { name: 'route pattern sends the subscription out a trunk', watcher: dev('SEP000000001001'), target: dn('8123'), kind: 'call-list', expect: 'route cluster-b', trace: ['route pattern 8XXX matches 8123'] },
  { name: 'foreign domain goes to SIP route patterns', watcher: dev('SEP000000001001'), target: uri('sip:bob@partner.test'), kind: 'call-list', expect: 'route partner', trace: ['SIP route pattern partner.test'] },
  { name: 'foreign domain without a SIP route pattern is unknown', watcher: dev('SEP000000001001'), target: uri('sip:bob@other.test'), kind: 'call-list', expect: 'reject user-unknown' },
  { name: 'URI in the cluster domain is a DN', watcher: dev('SEP000000001001'), target: uri('sip:2001@ACME.test:5060;user=phone'), kind: 'call-list', expect: 'allow 2001/Exec_PT', trace: ['cluster domain'] },
  { name: 'BLF for Call Lists off rejects call-list', params: { blfForCallLists: false }, watcher: dev('SEP000000001001'), target: dn('1002'), kind: 'call-list', expect: 'reject call-lists-disabled' },
  { name: 'BLF for Call Lists off leaves BLF speed dials alone', params: { blfForCallLists: false }, watcher: dev('SEP000000001005'), target: dn('2001'), kind: 'blf-speed-dial', expect: 'allow 2001/Exec_PT' },
  { name: "assigned user's SUBSCRIBE CSS replaces the device's", watcher: dev('SEP000000001004'), target: dn('2001'), kind: 'call-list', expect: 'reject user-unknown', trace: ["user alice is assigned to it: using the user's SUBSCRIBE CSS Restricted_CSS"] },
  { name: 'trunk uses its own CSS', watcher: { kind: 'trunk', name: 'cluster-b' }, target: dn('1001'), kind: 'call-list', expect: 'allow 1001/Internal_PT', trace: ['trunk cluster-b'] },
  { name: 'trunk with <None> CSS is user unknown', watcher: { kind: 'trunk', name: 'partner' }, target: dn('1001'), kind: 'call-list', expect: 'reject user-unknown' },
  { name: 'user watcher (explain) uses the user CSS', watcher: { kind: 'user', id: 'alice' }, target: dn('1001'), kind: 'call-list', expect: 'allow 1001/Internal_PT' },
];

function summarize(d: ReturnType<typeof decide>): string {
  if (d.outcome === 'allow') return `allow ${d.line}`;
  if (d.outcome === 'route') return `route ${d.trunk}`;
  return `reject ${d.reason}`;
}

for (const row of rows) {
  test(`decide: ${row.name}`, () => {
    const d = decide(sampleDirectory(row.params), row.watcher, row.target, row.kind);
    assert.equal(summarize(d), row.expect, d.trace.join('\n'));
    assert.ok(d.trace.length >= 3, 'a trace is always given');
    for (const fragment of row.trace ?? []) {
      assert.ok(d.trace.some((s) => s.includes(fragment)), `trace lacks "${fragment}":\n${d.trace.join('\n')}`);
    }
  });
}

test('decide: first partition in CSS order holding the DN wins', () => {
  const parts = sampleParts();
  const dir = buildDirectory({
    ...parts,
    lines: [...parts.lines!, { dn: '1002', partition: 'Exec_PT', presenceGroup: 'Executives', origin: ORIGIN }],
    callingSearchSpaces: [{ name: 'Internal_CSS', partitions: ['Exec_PT', 'Internal_PT'], origin: ORIGIN }],
  });
  const d = decide(dir, dev('SEP000000001001'), dn('1002'), 'call-list');
  assert.equal(summarize(d), 'allow 1002/Exec_PT');
});

test('decide: the <None> partition is searched after the CSS partitions', () => {
  const parts = sampleParts();
  const dir = buildDirectory({ ...parts, lines: [...parts.lines!, { dn: '4000', partition: null, presenceGroup: STANDARD_PRESENCE_GROUP, origin: ORIGIN }] });
  assert.equal(summarize(decide(dir, dev('SEP000000001006'), dn('4000'), 'call-list')), 'allow 4000/');
});

test("decide: watcher presence group is the assigned user's, not the device's", () => {
  const parts = sampleParts();
  const dir = buildDirectory({
    ...parts,
    users: [{ id: 'carl', presenceGroup: 'Contractors', subscribeCss: 'Internal_CSS', devices: [], origin: ORIGIN }],
    devices: [...parts.devices!, device('SEP00000000AAAA', { ownerUser: 'carl', lines: [appearance(1, '1003', 'Internal_PT')] })],
  });
  const d = decide(dir, dev('SEP00000000AAAA'), dn('2001'), 'call-list');
  assert.equal(summarize(d), 'reject presence-group-disallowed');
});

const kindRows: ReadonlyArray<readonly [string, WatcherRef, PresentityRef, SubscribeKind]> = [
  ['speed dial DN', dev('SEP000000001005'), dn('2001'), 'blf-speed-dial'],
  ['speed dial DN as cluster URI', dev('SEP000000001005'), uri('sip:2001@acme.test'), 'blf-speed-dial'],
  ['not a speed dial', dev('SEP000000001005'), dn('1001'), 'call-list'],
  ['device without speed dials', dev('SEP000000001001'), dn('2001'), 'call-list'],
  ['trunk watcher', { kind: 'trunk', name: 'cluster-b' }, dn('2001'), 'call-list'],
];
for (const [name, watcher, target, expected] of kindRows) {
  test(`classifySubscribeKind: ${name}`, () => {
    assert.equal(classifySubscribeKind(sampleDirectory(), watcher, target), expected);
  });
}

test('classifySubscribeKind: URI speed dial matches the same URI', () => {
  const parts = sampleParts();
  const dir = buildDirectory({
    ...parts,
    devices: [device('SEP00000000BBBB', { blfSpeedDials: [{ index: 2, target: { kind: 'uri', uri: 'sip:bob@partner.test' }, pickup: false }] })],
  });
  assert.equal(classifySubscribeKind(dir, dev('SEP00000000BBBB'), uri('sip:bob@Partner.test')), 'blf-speed-dial');
  assert.equal(classifySubscribeKind(dir, dev('SEP00000000BBBB'), uri('sip:eve@partner.test')), 'call-list');
});

test('decide: a directory URI finds its line through the CSS, like the DN', () => {
  const parts = sampleParts();
  const lines = parts.lines!.map((l) => (l.dn === '2001' ? { ...l, directoryUri: 'Victor.Vance' } : l));
  const dir = buildDirectory({ ...parts, lines });
  const domain = dir.params.domain;
  const allowed = decide(dir, dev('SEP000000003001'), uri(`sip:victor.vance@${domain.toUpperCase()}`), 'blf-speed-dial');
  assert.equal(summarize(allowed), 'allow 2001/Exec_PT', allowed.trace.join('\n'));
  assert.ok(allowed.trace.some((s) => s.includes(`directory URI victor.vance@${domain}`)));
  // the restricted CSS does not reach Exec_PT by URI either
  assert.equal(summarize(decide(dir, dev('SEP000000001006'), uri(`sip:victor.vance@${domain}`), 'call-list')), 'reject user-unknown');
  // another host is not the same directory URI
  assert.equal(summarize(decide(dir, dev('SEP000000003001'), uri('sip:victor.vance@elsewhere.test'), 'call-list')), 'reject user-unknown');
});
