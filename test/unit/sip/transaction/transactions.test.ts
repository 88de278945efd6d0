/**
 * Every timer path of the four RFC 3261 §17 / RFC 6026 transaction machines in virtual time.
 * The host is a recorder (sipgo `siptest` style): it records what would go on the wire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FakeClock, ClientTransaction, ServerTransaction, createRequest, createResponse, generateBranch,
  IllegalTransitionError, transition, NICT_TABLE, SILENT_LOGGER,
  type TransactionHost, type SipMessage, type Flow, type SipRequest,
} from '../../../../src/sip/index.js';

const T1 = 500, T2 = 4000, T4 = 5000;
const UDP: Flow = { transport: 'udp', local: { host: '127.0.0.1', port: 5060 }, remote: { host: '127.0.0.1', port: 5070 } };
const TCP: Flow = { ...UDP, transport: 'tcp', connectionId: 1 };

function recorder(opts: { failSend?: boolean } = {}) {
  const clock = new FakeClock();
  const sent: Array<{ at: number; msg: SipMessage }> = [];
  const forgotten: string[] = [];
  const host: TransactionHost = {
    clock, timers: { T1, T2, T4, timerD: 32000, trying100: 200 }, logger: SILENT_LOGGER,
    send(msg, to) {
      sent.push({ at: clock.now(), msg });
      return opts.failSend ? Promise.reject(new Error('ECONNRESET')) : Promise.resolve('remote' in to ? to : UDP);
    },
    forget(tx) { forgotten.push(tx.key); },
  };
  return { clock, sent, forgotten, host };
}

function req(method: string): SipRequest {
  return createRequest({ method, uri: 'sip:b@example.com', headers: [
    ['Via', `SIP/2.0/UDP 127.0.0.1:5060;branch=${generateBranch()}`], ['From', '<sip:a@example.com>;tag=x'],
    ['To', '<sip:b@example.com>'], ['Call-ID', 'c'], ['CSeq', `1 ${method}`]] });
}
const times = (sent: Array<{ at: number; msg: SipMessage }>, pred: (m: SipMessage) => boolean) => sent.filter((s) => pred(s.msg)).map((s) => s.at);
const isReq = (m: SipMessage) => m.kind === 'request';
const flush = () => new Promise((r) => setImmediate(r));

test('non-INVITE client: Timer E doubles to T2, Timer F times out (UDP)', () => {
  const { clock, sent, host } = recorder();
  let timeouts = 0;
  const tx = new ClientTransaction(host, 'k', req('OPTIONS'), UDP, { onTimeout: () => timeouts++ });
  tx.start();
  clock.advance(64 * T1);
  assert.deepEqual(times(sent, isReq), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(timeouts, 1);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('non-INVITE client: provisional → proceeding retransmits at T2; final → completed, Timer K = T4, retransmitted final absorbed', () => {
  const { clock, sent, host } = recorder();
  const seen: number[] = [];
  const r = req('SUBSCRIBE');
  const tx = new ClientTransaction(host, 'k', r, UDP, { onResponse: (res) => seen.push(res.status) });
  tx.start();
  tx.receive(createResponse(r, 100));
  clock.advance(T1);
  assert.equal(tx.state, 'proceeding');
  clock.advance(T2);
  assert.deepEqual(times(sent, isReq), [0, 500, 4500]);
  tx.receive(createResponse(r, 200));
  tx.receive(createResponse(r, 200));
  assert.deepEqual(seen, [100, 200]);
  assert.equal(tx.state, 'completed');
  clock.advance(T4 - 1);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('non-INVITE client over TCP: no retransmissions, Timer K = 0; only-100 answered request still times out (Timer F)', () => {
  const { clock, sent, host } = recorder();
  let timeouts = 0;
  const r = req('OPTIONS');
  const tx = new ClientTransaction(host, 'k', r, TCP, { onTimeout: () => timeouts++ });
  tx.start();
  tx.receive(createResponse(r, 100));
  clock.advance(64 * T1);
  assert.equal(sent.length, 1);
  assert.equal(timeouts, 1);
});

test('INVITE client: Timer A doubles, Timer B times out', () => {
  const { clock, sent, host } = recorder();
  let timeouts = 0;
  const tx = new ClientTransaction(host, 'k', req('INVITE'), UDP, { onTimeout: () => timeouts++ });
  tx.start();
  clock.advance(64 * T1);
  assert.deepEqual(times(sent, isReq), [0, 500, 1500, 3500, 7500, 15500, 31500]); // 7 transmissions (RFC 3261 §17.1.1.2)
  assert.equal(timeouts, 1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE client: 486 → ACK built (same branch, To with tag, CSeq ACK), retransmitted 486 re-ACKed, Timer D', () => {
  const { clock, sent, host } = recorder();
  const r = req('INVITE');
  const tx = new ClientTransaction(host, 'k', r, UDP, {});
  tx.start();
  const busy = createResponse(r, 486, undefined, { toTag: 'uas1' });
  tx.receive(busy);
  tx.receive(busy);
  const acks = sent.filter((s) => isReq(s.msg) && (s.msg as SipRequest).method === 'ACK').map((s) => s.msg as SipRequest);
  assert.equal(acks.length, 2);
  assert.equal(acks[0].headers.get('via'), r.headers.get('via'));
  assert.equal(acks[0].headers.get('cseq'), '1 ACK');
  assert.match(acks[0].headers.get('to')!, /tag=uas1/);
  clock.advance(31_999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE client: 2xx → accepted (RFC 6026), 2xx retransmissions passed up, Timer M', () => {
  const { clock, host } = recorder();
  const r = req('INVITE');
  const seen: number[] = [];
  const tx = new ClientTransaction(host, 'k', r, UDP, { onResponse: (res) => seen.push(res.status) });
  tx.start();
  tx.receive(createResponse(r, 180));
  clock.advance(10 * T1);
  const ok = createResponse(r, 200, undefined, { toTag: 't' });
  tx.receive(ok);
  tx.receive(ok);
  assert.deepEqual(seen, [180, 200, 200]);
  assert.equal(tx.state, 'accepted');
  clock.advance(64 * T1);
  assert.equal(tx.state, 'terminated');
});

test('client transport error is reported once to the TU', async () => {
  const { host } = recorder({ failSend: true });
  const errors: string[] = [];
  const tx = new ClientTransaction(host, 'k', req('OPTIONS'), UDP, { onTransportError: (e) => errors.push(e.reason) });
  tx.start();
  await flush();
  assert.deepEqual(errors, ['Error: ECONNRESET']);
  assert.equal(tx.state, 'terminated');
});

test('non-INVITE server: retransmissions absorbed in trying, last provisional / final resent, Timer J = 64*T1 (UDP) / 0 (TCP)', () => {
  const { clock, sent, host } = recorder();
  const r = req('SUBSCRIBE');
  const tx = new ServerTransaction(host, 'k', r, UDP);
  tx.receiveRequest();
  assert.equal(sent.length, 0);
  tx.reply(202);
  tx.receiveRequest();
  assert.deepEqual(sent.map((s) => (s.msg as { status: number }).status), [202, 202]);
  clock.advance(64 * T1 - 1);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  const tcp = new ServerTransaction(recorder().host, 'k2', r, TCP);
  tcp.reply(200);
  assert.equal(tcp.state, 'completed');
  assert.throws(() => tcp.reply(200), IllegalTransitionError);
});

test('INVITE server: 100 Trying after 200 ms when the TU is slow; not when it answers in time', () => {
  const slow = recorder();
  const tx = new ServerTransaction(slow.host, 'k', req('INVITE'), UDP);
  slow.clock.advance(199);
  assert.equal(slow.sent.length, 0);
  slow.clock.advance(1);
  assert.equal((slow.sent[0].msg as { status: number }).status, 100);
  tx.receiveRequest();
  assert.equal(slow.sent.length, 2);
  const fast = recorder();
  const tx2 = new ServerTransaction(fast.host, 'k', req('INVITE'), UDP);
  tx2.reply(180);
  fast.clock.advance(1000);
  assert.deepEqual(fast.sent.map((s) => (s.msg as { status: number }).status), [180]);
});

test('INVITE server: non-2xx retransmitted by Timer G (T1 doubling to T2), Timer H reports ACK timeout', () => {
  const { clock, sent, host } = recorder();
  let timeouts = 0;
  const tx = new ServerTransaction(host, 'k', req('INVITE'), UDP);
  tx.delegate = { onTimeout: () => timeouts++ };
  tx.reply(486);
  clock.advance(64 * T1);
  assert.deepEqual(times(sent, () => true), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(timeouts, 1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE server: ACK → confirmed, further ACKs absorbed, Timer I = T4', () => {
  const { clock, sent, host } = recorder();
  const r = req('INVITE');
  const tx = new ServerTransaction(host, 'k', r, UDP);
  tx.reply(404);
  const ack = createRequest({ method: 'ACK', uri: r.uri, headers: r.headers.clone() });
  tx.receiveAck(ack);
  tx.receiveAck(ack);
  assert.equal(tx.state, 'confirmed');
  clock.advance(T4);
  assert.equal(tx.state, 'terminated');
  assert.equal(sent.length, 1);
});

test('INVITE server: 2xx → accepted, 2xx retransmitted until ACK (RFC 3261 §13.3.1.4), Timer L', () => {
  const { clock, sent, host } = recorder();
  const r = req('INVITE');
  const acks: string[] = [];
  const tx = new ServerTransaction(host, 'k', r, UDP);
  tx.delegate = { onAck: (a) => acks.push(a.method) };
  tx.reply(200, 'OK', { toTag: true });
  clock.advance(1500);
  assert.deepEqual(times(sent, () => true), [0, 500, 1500]);
  tx.receiveRequest(); // INVITE retransmission absorbed
  tx.receiveAck(createRequest({ method: 'ACK', uri: r.uri, headers: r.headers.clone() }));
  clock.advance(10_000);
  assert.equal(sent.length, 3);
  assert.deepEqual(acks, ['ACK']);
  clock.advance(64 * T1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE server: 2xx never ACKed → onTimeout at Timer L', () => {
  const { clock, host } = recorder();
  let timeouts = 0;
  const tx = new ServerTransaction(host, 'k', req('INVITE'), TCP);
  tx.delegate = { onTimeout: () => timeouts++ };
  tx.reply(200, 'OK', { toTag: true });
  clock.advance(64 * T1);
  assert.equal(timeouts, 1);
});

test('server transport error reported; respond after terminated returns false', async () => {
  const { host } = recorder({ failSend: true });
  const errors: string[] = [];
  const tx = new ServerTransaction(host, 'k', req('OPTIONS'), TCP);
  tx.delegate = { onTransportError: (e) => errors.push(e.reason) };
  tx.reply(100);
  await flush();
  assert.equal(errors.length, 1);
  assert.equal(tx.respond(createResponse(tx.request, 200)), false);
});

test('transition() throws on an illegal move', () => {
  assert.throws(() => transition('nict', NICT_TABLE, 'completed', 'timerE'), IllegalTransitionError);
});
