/**
 * SUBSCRIBE relay in virtual time (FakeClock): sharing one upstream per (trunk, target), refresh
 * before expiry, bounded backoff after failures, Timer N, un-SUBSCRIBE when the last watcher leaves.
 * The trunk peer answers with real SIP responses and NOTIFYs (bodies from fixtures/dialog-info).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeClock, createRequest, createResponse, getCSeq, tagOf, type SipRequest } from '../../../../src/sip/index.js';
import type { RemoteStateChanged, Trunk } from '../../../../src/core/index.js';
import { SubscribeRelay, refreshDelay, type TrunkAnswer } from '../../../../src/adapters/trunk/index.js';
import { sampleDirectory } from '../../core/sample-directory.js';

const RINGING = readFileSync('fixtures/dialog-info/ringing-pickup.xml', 'utf8');
const IDLE = readFileSync('fixtures/dialog-info/idle.xml', 'utf8');
const TARGET = { kind: 'dn', dn: '8123' } as const;
const REMOTE_CONTACT = '<sip:8123@127.0.0.1:5070>';

interface Sent {
  readonly trunk: Trunk;
  readonly request: SipRequest;
  answer(a: TrunkAnswer): void;
}

function rig() {
  const clock = new FakeClock(0);
  const sent: Sent[] = [];
  const states: RemoteStateChanged[] = [];
  const dir = sampleDirectory();
  const relay = new SubscribeRelay({
    directory: () => dir,
    clock,
    submit: (i) => states.push(i),
    contactFor: () => 'sip:127.0.0.1:5060',
    expires: 600,
    timing: { initialBackoffMs: 2000, maxBackoffMs: 16_000, timerNMs: 32_000 },
    send: (trunk, request) => new Promise((resolve) => sent.push({ trunk, request, answer: resolve })),
  });
  return { clock, sent, states, relay };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

function ok(s: Sent, expires = 600): TrunkAnswer {
  const response = createResponse(s.request, 200, 'OK', { toTag: 'up-1', headers: [['Contact', REMOTE_CONTACT], ['Expires', String(expires)]] });
  return { kind: 'response', response, request: s.request };
}

function status(s: Sent, code: number): TrunkAnswer {
  return { kind: 'response', response: createResponse(s.request, code, undefined, { toTag: true }), request: s.request };
}

function notify(sub: SipRequest, cseq: number, state: string, body = '', toTag = 'up-1'): SipRequest {
  return createRequest({
    method: 'NOTIFY',
    uri: 'sip:127.0.0.1:5060',
    headers: [
      ['From', `<sip:8123@cluster-b.test>;tag=${toTag}`], ['To', sub.headers.get('from')!], ['Call-ID', sub.headers.get('call-id')!],
      ['CSeq', `${cseq} NOTIFY`], ['Event', 'dialog'], ['Subscription-State', state], ['Contact', REMOTE_CONTACT],
      ...(body ? [['Content-Type', 'application/dialog-info+xml'] as [string, string]] : []),
    ],
    body,
  });
}

const route = (id: string) => ({ type: 'route-subscribe', subscriptionId: id, trunk: 'cluster-b', target: TARGET, event: 'dialog' }) as const;
const unroute = (id: string) => ({ type: 'route-unsubscribe', subscriptionId: id, trunk: 'cluster-b', target: TARGET }) as const;

test('watchers of one remote target share one upstream SUBSCRIBE; its NOTIFY becomes remote-state', async () => {
  const { sent, states, relay } = rig();
  relay.onRouteSubscribe(route('w1'));
  relay.onRouteSubscribe(route('w2'));
  relay.onRouteSubscribe(route('w3'));
  assert.equal(sent.length, 1);
  const sub = sent[0]!.request;
  assert.equal(sub.uri, 'sip:8123@cluster-b.test');
  assert.equal(sub.headers.get('event'), 'dialog');
  assert.equal(sub.headers.get('expires'), '600');
  assert.equal(sent[0]!.trunk.name, 'cluster-b');
  assert.deepEqual(relay.view().map((v) => v.watchers), [3]);
  sent[0]!.answer(ok(sent[0]!));
  await flush();
  assert.deepEqual(relay.handleNotify(notify(sub, 1, 'active;expires=600', RINGING)), { status: 200, reason: 'OK' });
  assert.deepEqual(states.map((s) => [s.trunk, s.target, s.state]), [['cluster-b', TARGET, 'ringing']]);
  assert.equal(states[0]!.dialogs[0]!.direction, 'recipient');
  // an older document version is ignored (RFC 4235 §4.1)
  relay.handleNotify(notify(sub, 2, 'active;expires=600', IDLE.replace('version="0"', 'version="1"').replace(/version="\d+"/, 'version="1"')));
  assert.equal(states.length, 1);
  relay.handleNotify(notify(sub, 3, 'active;expires=600', IDLE.replace(/version="\d+"/, 'version="9"')));
  assert.deepEqual(states.map((s) => s.state), ['ringing', 'idle']);
});

test('a NOTIFY for no upstream dialog gets 481; one that beats the 2xx is accepted', async () => {
  const { sent, states, relay } = rig();
  relay.onRouteSubscribe(route('w1'));
  const sub = sent[0]!.request;
  const stray = notify(sub, 1, 'active', RINGING);
  stray.headers.set('Call-ID', 'nobody@x');
  assert.equal(relay.handleNotify(stray).status, 481);
  assert.equal(relay.handleNotify(notify(sub, 1, 'active;expires=600', RINGING)).status, 200);
  assert.deepEqual(states.map((s) => s.state), ['ringing']);
  sent[0]!.answer(ok(sent[0]!));
  await flush();
  assert.equal(relay.view()[0]!.phase, 'active');
});

test('refresh goes out in the dialog before expiry', async () => {
  const { clock, sent, relay } = rig();
  relay.onRouteSubscribe(route('w1'));
  const sub = sent[0]!.request;
  sent[0]!.answer(ok(sent[0]!, 300));
  await flush();
  assert.deepEqual(relay.handleNotify(notify(sub, 1, 'active;expires=300', IDLE)), { status: 200, reason: 'OK' });
  clock.advance(refreshDelay(300) - 1);
  assert.equal(sent.length, 1);
  clock.advance(1);
  assert.equal(sent.length, 2);
  const refresh = sent[1]!.request;
  assert.equal(tagOf(refresh.headers.get('to')), 'up-1');
  assert.equal(refresh.headers.get('call-id'), sub.headers.get('call-id'));
  assert.equal(getCSeq(refresh)!.seq, getCSeq(sub)!.seq + 1);
  assert.equal(refresh.uri, 'sip:8123@127.0.0.1:5070');
  assert.ok(refreshDelay(300) < 300_000);
});

test('481 on refresh → unknown, then a fresh SUBSCRIBE after a backoff that doubles and stays bounded', async () => {
  const { clock, sent, states, relay } = rig();
  relay.onRouteSubscribe(route('w1'));
  const first = sent[0]!.request;
  sent[0]!.answer(ok(sent[0]!));
  await flush();
  relay.handleNotify(notify(first, 1, 'active;expires=600', RINGING));
  clock.advance(refreshDelay(600));
  assert.equal(sent.length, 2);
  sent[1]!.answer(status(sent[1]!, 481));
  await flush();
  assert.deepEqual(states.map((s) => s.state), ['ringing', 'unknown']);
  const waits: number[] = [];
  for (let attempt = 0; attempt < 6; attempt++) {
    const before: number = sent.length;
    let waited = 0;
    while (sent.length === before && waited < 60_000) {
      clock.advance(500);
      waited += 500;
    }
    assert.equal(sent.length, before + 1, `retry ${attempt + 1} was sent`);
    waits.push(waited);
    const retry: Sent = sent[sent.length - 1]!;
    assert.notEqual(retry.request.headers.get('call-id'), first.headers.get('call-id'));
    assert.equal(tagOf(retry.request.headers.get('to')), undefined);
    retry.answer(attempt < 4 ? status(retry, 503) : { kind: 'timeout', request: retry.request });
    await flush();
  }
  assert.deepEqual(waits, [2000, 4000, 8000, 16_000, 16_000, 16_000]);
  assert.equal(states.at(-1)!.state, 'unknown');
  assert.equal(states.filter((s) => s.state === 'unknown').length, 1, 'unknown reported once, not per retry');
});

test('no NOTIFY within Timer N after the 2xx → unknown and retry', async () => {
  const { clock, sent, states, relay } = rig();
  relay.onRouteSubscribe(route('w1'));
  sent[0]!.answer(ok(sent[0]!));
  await flush();
  relay.handleNotify(notify(sent[0]!.request, 1, 'active', IDLE, 'other-tag')); // a fork we never heard of
  clock.advance(31_999);
  assert.deepEqual(states.map((s) => s.state), []);
  clock.advance(1);
  assert.deepEqual(states.map((s) => s.state), ['unknown']);
  clock.advance(2000);
  assert.equal(sent.length, 2);
});

test('terminated;reason=deactivated → unknown and an immediate fresh SUBSCRIBE', async () => {
  const { clock, sent, states, relay } = rig();
  relay.onRouteSubscribe(route('w1'));
  const sub = sent[0]!.request;
  sent[0]!.answer(ok(sent[0]!));
  await flush();
  relay.handleNotify(notify(sub, 1, 'active;expires=600', RINGING));
  assert.equal(relay.handleNotify(notify(sub, 2, 'terminated;reason=deactivated')).status, 200);
  assert.deepEqual(states.map((s) => s.state), ['ringing', 'unknown']);
  clock.advance(0);
  assert.equal(sent.length, 2);
  assert.notEqual(sent[1]!.request.headers.get('call-id'), sub.headers.get('call-id'));
});

test('the last watcher leaving sends SUBSCRIBE Expires: 0 in the dialog; its final NOTIFY still gets 200', async () => {
  const { sent, states, relay } = rig();
  relay.onRouteSubscribe(route('w1'));
  relay.onRouteSubscribe(route('w2'));
  const sub = sent[0]!.request;
  sent[0]!.answer(ok(sent[0]!));
  await flush();
  relay.handleNotify(notify(sub, 1, 'active;expires=600', IDLE));
  relay.onRouteUnsubscribe(unroute('w1'));
  assert.equal(sent.length, 1);
  relay.onRouteUnsubscribe(unroute('w2'));
  assert.equal(sent.length, 2);
  const bye = sent[1]!.request;
  assert.equal(bye.headers.get('expires'), '0');
  assert.equal(tagOf(bye.headers.get('to')), 'up-1');
  assert.deepEqual(relay.view(), []);
  sent[1]!.answer(ok(sent[1]!, 0));
  await flush();
  assert.equal(relay.handleNotify(notify(sub, 2, 'terminated;reason=timeout')).status, 200);
  assert.equal(relay.handleNotify(notify(sub, 3, 'active', IDLE)).status, 481);
  assert.deepEqual(states.map((s) => s.state), ['idle']);
  // a new watcher starts a new upstream dialog
  relay.onRouteSubscribe(route('w3'));
  assert.equal(sent.length, 3);
  assert.notEqual(sent[2]!.request.headers.get('call-id'), sub.headers.get('call-id'));
});
