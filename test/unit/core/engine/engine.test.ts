import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDirectory,
  createEngine,
  type Effect,
  type EngineInput,
  type LineDialog,
  type SendNotify,
  type SubscribeRequest,
} from '../../../../src/core/index.js';
import { appearance, device, sampleDirectory, sampleParts } from '../sample-directory.js';

const T0 = 1_700_000_000_000;

function subscribe(id: string, watcher: string, target: string, over: Partial<SubscribeRequest> = {}): SubscribeRequest {
  return { type: 'subscribe', subscriptionId: id, watcher: { kind: 'device', name: watcher }, target: { kind: 'dn', dn: target }, event: 'dialog', expires: 3600, refresh: false, ...over };
}

function ofType<T extends Effect['type']>(effects: Effect[], type: T): Extract<Effect, { type: T }>[] {
  return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
}

function ring(id: string, state: LineDialog['state']): EngineInput {
  return {
    type: 'call-event',
    appearance: { device: 'SEP000000002001', index: 1 },
    dialog: { id, callId: `${id}@acme.test`, localTag: 'l', remoteTag: 'r', direction: 'recipient', state, local: { uri: 'sip:2001@acme.test' }, remote: { uri: 'sip:1002@acme.test' } },
  };
}

const respondRows: ReadonlyArray<readonly [string, SubscribeRequest, number, Record<string, unknown>]> = [
  ['accepted with the requested expiry', subscribe('s', 'SEP000000001001', '2001'), 200, { expires: 3600 }],
  ['absent Expires → default', subscribe('s', 'SEP000000001001', '2001', { expires: undefined }), 200, { expires: 3600 }],
  ['Expires above max is capped', subscribe('s', 'SEP000000001001', '2001', { expires: 99999 }), 200, { expires: 7200 }],
  ['Expires below min → 423 with Min-Expires', subscribe('s', 'SEP000000001001', '2001', { expires: 10 }), 423, { minExpires: 60 }],
  ['no SUBSCRIBE CSS → 404 User Unknown', subscribe('s', 'SEP000000001009', '1001'), 404, { reason: 'User Unknown' }],
  ['BLF speed dial (as cluster URI) is exempt from presence groups', subscribe('s', 'SEP000000003001', '2001', { target: { kind: 'uri', uri: 'sip:2001@acme.test' } }), 200, {}],
  ['call-list to a disallowed group → 403', subscribe('s', 'SEP000000003001', '2002'), 403, { reason: 'Forbidden' }],
  ['unknown event package → 489', subscribe('s', 'SEP000000001001', '2001', { event: 'message-summary' as unknown as 'dialog' }), 489, {}],
  ['refresh of an unknown subscription → 481', subscribe('s', 'SEP000000001001', '2001', { refresh: true }), 481, {}],
];
for (const [name, req, status, fields] of respondRows) {
  test(`SUBSCRIBE: ${name}`, () => {
    const out = createEngine(sampleDirectory()).handle(req, T0);
    const [resp] = ofType(out, 'respond-subscribe');
    assert.equal(resp?.status, status);
    for (const [k, v] of Object.entries(fields)) assert.equal((resp as unknown as Record<string, unknown>)[k], v, k);
    assert.equal(ofType(out, 'send-notify').length, status === 200 ? 1 : 0, 'immediate NOTIFY only when accepted');
  });
}

test('accept → immediate NOTIFY v0; changes wait for the in-flight NOTIFY and coalesce', () => {
  const engine = createEngine(sampleDirectory());
  const first = engine.handle(subscribe('s1', 'SEP000000001001', '2001'), T0);
  const [n0] = ofType(first, 'send-notify');
  assert.deepEqual([n0!.version, n0!.subscriptionState, n0!.expires], [0, 'active', 3600]);
  assert.match(n0!.body, /<state>terminated<\/state>/);
  assert.deepEqual(ofType(first, 'wake-at'), [{ type: 'wake-at', at: T0 + 3600_000 }]);
  const reg = engine.handle({ type: 'registration', device: 'SEP000000002001', registered: true }, T0 + 1);
  assert.deepEqual(ofType(reg, 'line-state-changed').map((e) => [e.line, e.old, e.new]), [['2001/Exec_PT', 'unknown', 'idle']]);
  assert.equal(ofType(reg, 'send-notify').length, 0, 'v0 still in flight');
  assert.equal(ofType(engine.handle(ring('c1', 'early'), T0 + 2), 'send-notify').length, 0);
  const settled = engine.handle({ type: 'notify-outcome', subscriptionId: 's1', version: 0, outcome: 'ok' }, T0 + 3);
  const [n1] = ofType(settled, 'send-notify');
  assert.equal(n1!.version, 1);
  assert.match(n1!.body, /version="1"/);
  assert.match(n1!.body, /direction="recipient">\n {4}<state>early<\/state>/);
  engine.handle({ type: 'notify-outcome', subscriptionId: 's1', version: 1, outcome: 'ok' }, T0 + 4);
  const answered = engine.handle(ring('c1', 'confirmed'), T0 + 5);
  assert.equal(ofType(answered, 'send-notify')[0]!.version, 2, 'no NOTIFY in flight: sent at once');
});

test("a line change NOTIFYs the line's watchers before it reports LineStateChanged (Rule 1 of engine-updates.ts)", () => {
  const engine = createEngine(sampleDirectory());
  engine.handle({ type: 'registration', device: 'SEP000000002001', registered: true }, T0);
  for (const id of ['s1', 's2']) {
    engine.handle(subscribe(id, 'SEP000000001001', '2001'), T0 + 1);
    engine.handle({ type: 'notify-outcome', subscriptionId: id, version: 0, outcome: 'ok' }, T0 + 2);
  }
  const out = engine.handle(ring('c1', 'early'), T0 + 3);
  const order = out.filter((e) => e.type === 'send-notify' || e.type === 'line-state-changed').map((e) => e.type);
  assert.deepEqual(order, ['send-notify', 'send-notify', 'line-state-changed']);
});

test('Expires: 0 ends the subscription with a terminated NOTIFY', () => {
  const engine = createEngine(sampleDirectory());
  engine.handle(subscribe('s1', 'SEP000000001001', '2001'), T0);
  const out = engine.handle(subscribe('s1', 'SEP000000001001', '2001', { expires: 0, refresh: true }), T0 + 10);
  assert.equal(ofType(out, 'respond-subscribe')[0]!.expires, 0);
  const [n] = ofType(out, 'send-notify');
  assert.deepEqual([n!.subscriptionState, n!.reason, n!.version], ['terminated', 'timeout', 1]);
  assert.equal(engine.exportSubscriptions().length, 0);
  assert.equal(engine.nextDeadline(), undefined);
});

test('refresh resets expiry and sends full state; expiry then terminates with reason timeout', () => {
  const engine = createEngine(sampleDirectory());
  engine.handle(subscribe('s1', 'SEP000000001001', '2001', { expires: 60 }), T0);
  engine.handle({ type: 'notify-outcome', subscriptionId: 's1', version: 0, outcome: 'ok' }, T0 + 1);
  const refreshed = engine.handle(subscribe('s1', 'SEP000000001001', '2001', { expires: 120, refresh: true }), T0 + 30_000);
  assert.equal(ofType(refreshed, 'send-notify')[0]!.version, 1);
  assert.equal(engine.nextDeadline(), T0 + 150_000);
  assert.deepEqual(engine.handle({ type: 'tick' }, T0 + 149_999).filter((e) => e.type === 'send-notify'), []);
  const expired = engine.handle({ type: 'tick' }, T0 + 150_000);
  const [n] = ofType(expired, 'send-notify');
  assert.deepEqual([n!.subscriptionState, n!.reason], ['terminated', 'timeout']);
  assert.equal(engine.nextDeadline(), undefined);
});

for (const outcome of ['gone', 'timeout'] as const) {
  test(`NOTIFY outcome ${outcome} removes the subscription`, () => {
    const engine = createEngine(sampleDirectory());
    engine.handle(subscribe('s1', 'SEP000000001001', '2001'), T0);
    engine.handle({ type: 'notify-outcome', subscriptionId: 's1', version: 0, outcome, status: outcome === 'gone' ? 481 : 408 }, T0 + 1);
    assert.equal(engine.exportSubscriptions().length, 0);
    const later = engine.handle({ type: 'registration', device: 'SEP000000002001', registered: true }, T0 + 2);
    assert.equal(ofType(later, 'send-notify').length, 0);
  });
}

test('route outcome: RouteSubscribe, NOTIFY with unknown state, remote state re-renders', () => {
  const engine = createEngine(sampleDirectory());
  const out = engine.handle(subscribe('r1', 'SEP000000001001', '8123', { event: 'presence' }), T0);
  assert.equal(ofType(out, 'respond-subscribe')[0]!.decision?.outcome, 'route');
  assert.deepEqual(ofType(out, 'route-subscribe').map((e) => [e.trunk, e.target]), [['cluster-b', { kind: 'dn', dn: '8123' }]]);
  assert.match(ofType(out, 'send-notify')[0]!.body, /<basic>closed<\/basic>/);
  engine.handle({ type: 'notify-outcome', subscriptionId: 'r1', version: 0, outcome: 'ok' }, T0 + 1);
  const remote = engine.handle({ type: 'remote-state', trunk: 'cluster-b', target: { kind: 'dn', dn: '8123' }, state: 'ringing', dialogs: [] }, T0 + 2);
  assert.match(ofType(remote, 'send-notify')[0]!.body, /<ce:alerting\/>/);
});

test('a second watcher of a routed target starts with the state the first one already has', () => {
  const engine = createEngine(sampleDirectory());
  engine.handle(subscribe('r1', 'SEP000000001001', '8123', { event: 'presence' }), T0);
  engine.handle({ type: 'notify-outcome', subscriptionId: 'r1', version: 0, outcome: 'ok' }, T0 + 1);
  engine.handle({ type: 'remote-state', trunk: 'cluster-b', target: { kind: 'dn', dn: '8123' }, state: 'busy', dialogs: [] }, T0 + 2);
  const out = engine.handle(subscribe('r2', 'SEP000000001001', '8123', { event: 'presence' }), T0 + 3);
  assert.equal(ofType(out, 'route-subscribe').length, 1);
  assert.match(ofType(out, 'send-notify')[0]!.body, /<e:on-the-phone\/>/);
});

test('presence with Accept cpim-pidf+xml is served under that label', () => {
  const out = createEngine(sampleDirectory()).handle(subscribe('p1', 'SEP000000001001', '1002', { event: 'presence', accept: ['application/cpim-pidf+xml'] }), T0);
  assert.equal(ofType(out, 'send-notify')[0]!.contentType, 'application/cpim-pidf+xml');
});

test('directory swap ends only subscriptions now refused, with reason rejected', () => {
  const engine = createEngine(sampleDirectory());
  engine.handle(subscribe('list', 'SEP000000001001', '2001'), T0);
  engine.handle(subscribe('sd', 'SEP000000001005', '2001'), T0);
  engine.handle(subscribe('same', 'SEP000000001001', '1002'), T0);
  const out = engine.handle({ type: 'directory-replaced', directory: sampleDirectory({ interPresenceGroupPolicy: 'disallow' }, 2) }, T0 + 5);
  assert.deepEqual(ofType(out, 'send-notify').map((n) => [n.subscriptionId, n.subscriptionState, n.reason]), [['list', 'terminated', 'rejected']]);
  assert.deepEqual(engine.exportSubscriptions().map((r) => r.id).sort(), ['same', 'sd']);
});

test('directory swap removing the DN ends with reason deactivated', () => {
  const engine = createEngine(sampleDirectory());
  engine.handle(subscribe('s1', 'SEP000000001001', '1002'), T0);
  const parts = sampleParts();
  const dir = buildDirectory({ ...parts, lines: parts.lines!.filter((l) => l.dn !== '1002') }, 2);
  const out = engine.handle({ type: 'directory-replaced', directory: dir }, T0 + 5);
  assert.deepEqual(ofType(out, 'send-notify').map((n) => n.reason), ['deactivated']);
});

test('restart: restored subscriptions continue the version and keep their expiry', () => {
  const a = createEngine(sampleDirectory());
  a.handle(subscribe('s1', 'SEP000000001001', '2001', { expires: 600 }), T0);
  a.handle({ type: 'notify-outcome', subscriptionId: 's1', version: 0, outcome: 'ok' }, T0 + 1);
  a.handle({ type: 'registration', device: 'SEP000000002001', registered: true }, T0 + 2);
  const records = JSON.parse(JSON.stringify(a.exportSubscriptions()));
  const b = createEngine(sampleDirectory());
  assert.deepEqual(b.restoreSubscriptions(records, T0 + 10), [{ type: 'wake-at', at: T0 + 600_000 }]);
  const out = b.handle({ type: 'registration', device: 'SEP000000002001', registered: true }, T0 + 20);
  assert.equal(ofType(out, 'send-notify')[0]!.version, 2);
  const expired = b.handle({ type: 'tick' }, T0 + 600_000);
  assert.equal(ofType(expired, 'send-notify')[0]!.reason, 'timeout');
  assert.deepEqual(createEngine(sampleDirectory()).restoreSubscriptions(records, T0 + 600_000), [], 'expired records are dropped');
});

test('PUBLISH trunk: per-user aggregation, emitted only when the user state changes', () => {
  const parts = sampleParts({ impPublishTrunk: 'imp' });
  const dir = buildDirectory({
    ...parts,
    devices: [...parts.devices!.filter((d) => d.name !== 'SEP000000001002'), device('SEP000000001002', { lines: [appearance(1, '1002', 'Internal_PT', ['bob'])] })],
  });
  const engine = createEngine(dir);
  const reg = engine.handle({ type: 'registration', device: 'SEP000000001002', registered: true }, T0);
  assert.deepEqual(ofType(reg, 'publish').map((p) => [p.trunk, p.user, p.state, p.lines.map((l) => l.line)]), [['imp', 'bob', 'idle', ['1002/Internal_PT']]]);
  assert.deepEqual(ofType(engine.handle({ type: 'dnd', device: 'SEP000000001002', on: false }, T0 + 1), 'publish'), []);
  const call = engine.handle({ ...(ring('x', 'confirmed') as Extract<EngineInput, { type: 'call-event' }>), appearance: { device: 'SEP000000001002', index: 1 } }, T0 + 2);
  assert.deepEqual(ofType(call, 'publish').map((p) => p.state), ['busy']);
  assert.deepEqual(ofType(createEngine(sampleDirectory()).handle({ type: 'registration', device: 'SEP000000001002', registered: true }, T0), 'publish'), [], 'off by default');
});

test('single-dialog device option reaches the renderer', () => {
  const parts = sampleParts();
  const dir = buildDirectory({ ...parts, devices: [...parts.devices!, device('SEP00000000D001', { singleDialogPerDocument: true })] });
  const engine = createEngine(dir);
  engine.handle({ type: 'registration', device: 'SEP000000002001', registered: true }, T0);
  engine.handle(ring('a', 'confirmed'), T0);
  engine.handle(ring('b', 'early'), T0);
  const body = (ofType(engine.handle(subscribe('s', 'SEP00000000D001', '2001'), T0), 'send-notify')[0] as SendNotify).body;
  assert.equal(body.match(/<dialog /g)?.length, 1);
  assert.match(body, /<state>early<\/state>/);
});

test('fan-out: watchers of one line share the rendered document but each gets its own version', () => {
  const engine = createEngine(sampleDirectory());
  engine.handle(subscribe('s1', 'SEP000000001001', '2001'), T0);
  engine.handle({ type: 'notify-outcome', subscriptionId: 's1', version: 0, outcome: 'ok' }, T0 + 1);
  engine.handle(subscribe('s1', 'SEP000000001001', '2001', { refresh: true }), T0 + 2);
  engine.handle({ type: 'notify-outcome', subscriptionId: 's1', version: 1, outcome: 'ok' }, T0 + 3);
  engine.handle(subscribe('s2', 'SEP000000001001', '2001'), T0 + 4);
  engine.handle({ type: 'notify-outcome', subscriptionId: 's2', version: 0, outcome: 'ok' }, T0 + 5);
  engine.handle({ type: 'registration', device: 'SEP000000002001', registered: true }, T0 + 6);
  for (const id of ['s1', 's2']) engine.handle({ type: 'notify-outcome', subscriptionId: id, version: id === 's1' ? 2 : 1, outcome: 'ok' }, T0 + 7);
  const notifies = ofType(engine.handle(ring('d1', 'early'), T0 + 8), 'send-notify');
  assert.deepEqual(notifies.map((n) => [n.subscriptionId, n.version]), [['s1', 3], ['s2', 2]]);
  assert.match(notifies[0]!.body, /<dialog-info [^>]*version="3"/);
  assert.match(notifies[1]!.body, /<dialog-info [^>]*version="2"/);
  assert.match(notifies[0]!.body, /<state>early<\/state>/);
  const unversioned = (b: string) => b.replace(/ version="\d+"/, '');
  assert.equal(unversioned(notifies[0]!.body), unversioned(notifies[1]!.body));
});

test('every NOTIFY carries its body\'s UTF-8 length, also from a shared template and across a digit boundary', () => {
  const engine = createEngine(sampleDirectory());
  const seen: Array<[string, number]> = [];
  const keep = (effects: Effect[]) => {
    for (const n of ofType(effects, 'send-notify')) {
      seen.push([n.body, n.bodyBytes]);
      engine.handle({ type: 'notify-outcome', subscriptionId: n.subscriptionId, version: n.version, outcome: 'ok' }, T0 + 1);
    }
  };
  keep(engine.handle(subscribe('s1', 'SEP000000001001', '2001'), T0));
  keep(engine.handle({ type: 'registration', device: 'SEP000000002001', registered: true }, T0 + 2));
  for (let i = 0; i < 24; i++) {
    const id = `u${i >> 1}`;
    const call: EngineInput = {
      type: 'call-event', appearance: { device: 'SEP000000002001', index: 1 },
      dialog: {
        id, callId: `${id}@acme.test`, localTag: 'l', remoteTag: 'r', direction: 'recipient', state: i % 2 ? 'terminated' : 'early',
        local: { uri: 'sip:2001@acme.test' }, remote: { uri: 'sip:1002@acme.test', display: 'Zoë Ångström 𝄞 ☎' },
      },
    };
    keep(engine.handle(call, T0 + 10 + i));
  }
  assert.ok(seen.length >= 13 && seen.some(([b]) => /version="1\d"/.test(b)), 'versions reach two digits');
  assert.ok(seen.some(([b]) => b.includes('Zoë')), 'a body with non-ASCII text');
  for (const [body, bytes] of seen) assert.equal(bytes, Buffer.byteLength(body, 'utf8'));
});
