/**
 * RFC 3263 §4.3 failover of client transactions in virtual time (FakeClock, fake DNS, recording
 * transport): a transport error, a Timer B/F timeout without any response, or a 503 moves the
 * request to the next resolved target with a new branch; the TU hears only the last outcome, once;
 * a CANCEL follows the INVITE's current target (§4); an IP literal has no list to fail over along.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FakeClock, SipResolver, SipStack, createCancel, createRequest, createResponse, getTopVia, resolveTarget,
  type ClientTransactionDelegate, type SipRequest,
} from '../../../../src/sip/index.js';
import { fakeDns, srv } from '../transport/fake-dns.js';
import { RecordingTransportLayer } from '../transport/recording-transport-layer.js';

const T1 = 500;
const A = 'udp:192.0.2.10:5061';
const B = 'udp:192.0.2.11:5062';
const C = 'udp:192.0.2.12:5063';
const ZONE = {
  srv: { '_sip._udp.pbx.test': [srv('c.pbx.test', 5063, 30, 0), srv('a.pbx.test', 5061, 10, 0), srv('b.pbx.test', 5062, 20, 0)] },
  a: { 'a.pbx.test': ['192.0.2.10'], 'b.pbx.test': ['192.0.2.11'], 'c.pbx.test': ['192.0.2.12'] },
};
const flush = () => new Promise((r) => setImmediate(r));

function rig() {
  const clock = new FakeClock();
  const wire = new RecordingTransportLayer();
  const dns = fakeDns(ZONE);
  const stack = new SipStack({ clock, transport: wire, timers: { T1 }, resolver: new SipResolver(dns, { random: () => 0 }) });
  const heard: string[] = [];
  const delegate: ClientTransactionDelegate = {
    onResponse: (res) => heard.push(String(res.status)),
    onTimeout: () => heard.push('timeout'),
    onTransportError: (e) => heard.push(`transport-error ${e.reason}`),
    onTerminated: () => heard.push('terminated'),
  };
  return { clock, wire, dns, stack, heard, delegate };
}

function request(method: string, host = 'pbx.test'): SipRequest {
  return createRequest({ method, uri: `sip:1001@${host}`, headers: [
    ['From', '<sip:gw@blf.test>;tag=f1'], ['To', '<sip:1001@pbx.test>'], ['Call-ID', `c-${method}`], ['CSeq', `1 ${method}`]] });
}

const branches = (r: ReturnType<typeof rig>, to: string) => [...new Set(r.wire.wire.filter((w) => w.to === to).map((w) => /branch=([^;]+)/.exec(w.via)![1]))];
/** the request as it was on the wire to `to` (its Via then), for building that target's answer */
const answerFrom = (r: ReturnType<typeof rig>, to: string, status: number) => {
  const sent = r.wire.wire.find((w) => w.to === to)!.msg as SipRequest;
  const copy = { ...sent, headers: sent.headers.clone() };
  copy.headers.removeFirst('via');
  copy.headers.prepend('Via', r.wire.wire.find((w) => w.to === to)!.via);
  return createResponse(copy, status, undefined, { toTag: 'uas' });
};

test('RFC 3263 §4.3: a transport error moves the request to the next SRV target with a new branch', async () => {
  const r = rig();
  r.wire.refused.add('192.0.2.10');
  const tx = r.stack.sendRequest(request('OPTIONS'), { delegate: r.delegate });
  await flush();
  assert.deepEqual(r.wire.requests(), [`OPTIONS ${A}`, `OPTIONS ${B}`]);
  assert.notEqual(branches(r, A)[0], branches(r, B)[0]);
  assert.equal(getTopVia(tx.request)!.branch, branches(r, B)[0], 'the TU-held request describes the attempt on the wire');
  r.wire.arrive(answerFrom(r, B, 200));
  r.clock.advance(5_000);
  assert.deepEqual(r.heard, ['200', 'terminated']);
  assert.equal(r.stack.counts.client, 0);
});

test('RFC 3263 §4.3: Timer F without any response → next target; the first target gets no more retransmissions', async () => {
  const r = rig();
  r.stack.sendRequest(request('OPTIONS'), { delegate: r.delegate });
  await flush();
  r.clock.advance(64 * T1);
  await flush();
  const toA = r.wire.requests().filter((l) => l.endsWith(A)).length;
  assert.equal(r.wire.requests().at(-1), `OPTIONS ${B}`);
  r.wire.arrive(answerFrom(r, B, 202));
  r.clock.advance(64 * T1);
  assert.equal(r.wire.requests().filter((l) => l.endsWith(A)).length, toA);
  assert.deepEqual(r.heard, ['202', 'terminated']);
});

test('RFC 3263 §4.3: a timeout after a provisional is the server\'s answer, not a failover case', async () => {
  const r = rig();
  r.stack.sendRequest(request('OPTIONS'), { delegate: r.delegate });
  await flush();
  r.wire.arrive(answerFrom(r, A, 100));
  r.clock.advance(64 * T1);
  await flush();
  assert.ok(r.wire.requests().every((l) => l.endsWith(A)));
  assert.deepEqual(r.heard, ['100', 'timeout', 'terminated']);
});

test('RFC 3263 §4.3: INVITE 503 → ACKed there (re-ACKed on retransmission), retried at the next target; CANCEL follows it there', async () => {
  const r = rig();
  const tx = r.stack.sendRequest(request('INVITE'), { delegate: r.delegate });
  await flush();
  const busy = answerFrom(r, A, 503);
  r.wire.arrive(busy, A);
  await flush();
  assert.deepEqual(r.wire.requests(), [`INVITE ${A}`, `ACK ${A}`, `INVITE ${B}`]);
  r.wire.arrive(busy, A); // our ACK was lost: the abandoned attempt still answers for its branch
  assert.deepEqual(r.wire.requests().slice(3), [`ACK ${A}`]);
  r.wire.arrive(answerFrom(r, B, 180), B);
  // the TU cancels towards the Request-URI's name; the stack sends it where the INVITE is
  r.stack.sendRequest(createCancel(tx.request), { destination: resolveTarget(tx.request) });
  await flush();
  assert.deepEqual(r.wire.requests().slice(4), [`CANCEL ${B}`]);
  assert.equal(/branch=([^;]+)/.exec(r.wire.wire.at(-1)!.via)![1], branches(r, B)[0]);
  r.wire.arrive(answerFrom(r, B, 487), B);
  r.clock.advance(32_000);
  assert.deepEqual(r.heard, ['180', '487', 'terminated']);
  assert.equal(r.stack.counts.client, 0, 'the abandoned attempt ended with its Timer D');
});

test('RFC 3263 §4.3: every target fails → the TU hears the last failure once', async () => {
  const r = rig();
  r.wire.refused.add('192.0.2.10');
  r.stack.sendRequest(request('SUBSCRIBE'), { delegate: r.delegate });
  await flush();
  r.wire.arrive(answerFrom(r, B, 503), B);
  await flush();
  r.clock.advance(64 * T1);
  await flush();
  assert.deepEqual(r.wire.requests().map((l) => l.split(' ')[1]).filter((t, i, all) => all.indexOf(t) === i), [A, B, C]);
  assert.deepEqual(r.heard, ['timeout', 'terminated']);
  r.clock.advance(64 * T1);
  assert.equal(r.heard.length, 2);
});

test('RFC 3263 §4.3: each target at most once; the last 503 reaches the TU', async () => {
  const r = rig();
  r.stack.sendRequest(request('OPTIONS'), { delegate: r.delegate });
  for (const to of [A, B, C]) {
    await flush();
    r.wire.arrive(answerFrom(r, to, 503), to);
  }
  await flush();
  r.clock.advance(5_000);
  assert.deepEqual(r.wire.requests(), [`OPTIONS ${A}`, `OPTIONS ${B}`, `OPTIONS ${C}`]);
  assert.deepEqual(r.heard, ['503', 'terminated']);
  assert.equal(r.stack.counts.client, 0);
});

test('RFC 3263 §4.1: an IP literal destination has no failover list', async () => {
  const r = rig();
  r.wire.refused.add('192.0.2.10');
  r.stack.sendRequest(request('OPTIONS', '192.0.2.10:5061'), { delegate: r.delegate });
  await flush();
  assert.deepEqual(r.wire.requests(), [`OPTIONS ${A}`]);
  assert.deepEqual(r.heard, ['transport-error Error: ECONNREFUSED 192.0.2.10', 'terminated']);
  assert.deepEqual(r.dns.queries, []);
});
