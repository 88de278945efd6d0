/**
 * RFC 3261 §17.1.2 for requests the TU serialized itself (`SipStack.sendPrepared`, the NOTIFY
 * fan-out): rows of `PendingNonInviteTable` retransmit on Timer E (T1 doubling, capped at T2; T2 in
 * Proceeding), time out on Timer F, report exactly one outcome, and hand a final over to the
 * Completed client rows — in virtual time, with ONE host timer for any number of rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FakeClock, SipStack, createResponseMessage, parseMessage, isParseError, SILENT_LOGGER,
  type Flow, type PreparedResult, type SipResponse,
} from '../../../../src/sip/index.js';
import { PendingNonInviteTable, type PreparedRequest } from '../../../../src/sip/transaction/pending-non-invite.js';
import { RecordingTransportLayer } from '../transport/recording-transport-layer.js';

const T1 = 500;
const T2 = 4000;
const flush = () => new Promise((r) => setImmediate(r));
const FLOW: Flow = { transport: 'udp', local: { host: '192.0.2.1', port: 5060 }, remote: { host: '198.51.100.7', port: 5070 } };

/** A prepared request of fixed bytes. */
function preparedBytes(bytes: Buffer, onFinal: (result: PreparedResult) => void): PreparedRequest {
  return { via: '', wire: () => bytes, onFinal };
}

function tableRig() {
  const clock = new FakeClock();
  const sends: Array<{ at: number; bytes: string }> = [];
  const completed: string[] = [];
  let failSends = false;
  // the tests name rows `name|method`; the table names their branches (Rule 6)
  const branchOf = new Map<string, string>();
  const nameOf = new Map<string, string>();
  const table = new PendingNonInviteTable({
    clock, logger: SILENT_LOGGER, timers: { T1, T2 },
    viaFor: (_flow, branch) => `SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`,
    sendBytes: (bytes, _flow, onError) => {
      sends.push({ at: clock.now(), bytes: bytes.toString() });
      if (failSends) queueMicrotask(() => onError(new Error('EHOSTUNREACH')));
    },
    completed: (key) => completed.push(key.replace(/^[^|]*/, (b) => nameOf.get(b) ?? b)),
  });
  const results = new Map<string, PreparedResult[]>();
  const start = (key: string) => {
    results.set(key, []);
    const [name, method] = key.split('|');
    const branch = table.start(method!, preparedBytes(Buffer.from(`wire of ${key}`), (r) => results.get(key)!.push(r)), FLOW);
    branchOf.set(name!, branch);
    nameOf.set(branch, name!);
  };
  /** Feeds a response to the row named in `key` (`name|method`). */
  const receive = (key: string, res: SipResponse): boolean => {
    const [name, method] = key.split('|');
    return table.receive(branchOf.get(name!) ?? name!, method!, res);
  };
  return { clock, table, sends, completed, results, start, receive, branchOf, failSendsFromNowOn: () => { failSends = true; } };
}

const response = (status: number) => ({ kind: 'response', status } as unknown as SipResponse);


test('Timer E retransmits at T1, 2T1, 4T1, then every T2; Timer F ends the row with one timeout', () => {
  const { clock, table, sends, results, start } = tableRig();
  start('b1|NOTIFY');
  clock.advance(64 * T1 - 1);
  // sent at 0, then E fires at 500, 1500, 3500, 7500, 11500, … every 4000 until F at 32000
  assert.deepEqual(sends.map((s) => s.at), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.ok(sends.every((s) => s.bytes === 'wire of b1|NOTIFY'), 'the very same bytes each time');
  assert.deepEqual(results.get('b1|NOTIFY'), []);
  clock.advance(1);
  assert.deepEqual(results.get('b1|NOTIFY'), [{ status: 0, error: 'timeout' }]);
  assert.equal(table.size, 0);
  clock.advance(64 * T1);
  assert.equal(sends.length, 11, 'nothing after Timer F');
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('a provisional moves the row to Proceeding (E every T2, not reported); the final is reported once and goes Completed', () => {
  const { clock, table, sends, completed, results, start, receive } = tableRig();
  start('b2|NOTIFY');
  clock.advance(600); // one retransmission at 500; next E due at 1500
  assert.equal(receive('b2|NOTIFY', response(100)), true);
  clock.advance(900); // E at 1500 fires, re-armed with T2
  clock.advance(T2);
  assert.deepEqual(sends.map((s) => s.at), [0, 500, 1500, 5500]);
  assert.deepEqual(results.get('b2|NOTIFY'), [], 'a provisional is not an outcome');
  assert.equal(receive('b2|NOTIFY', response(200)), true);
  assert.deepEqual(results.get('b2|NOTIFY')!.map((r) => r.status), [200]);
  assert.deepEqual(completed, ['b2|NOTIFY'], 'the key lives on as a Completed row (Timer K)');
  assert.equal(receive('b2|NOTIFY', response(200)), false, 'a retransmitted final is no longer ours');
  clock.advance(64 * T1);
  assert.equal(sends.length, 4, 'no retransmission after the final');
  assert.equal(results.get('b2|NOTIFY')!.length, 1);
  assert.equal(clock.pending, 0);
});

test('rows are keyed by branch; a response with that branch but another CSeq method is not theirs', () => {
  const { results, start, receive } = tableRig();
  start('b7|NOTIFY');
  assert.equal(receive('b7|SUBSCRIBE', response(200)), false);
  assert.deepEqual(results.get('b7|NOTIFY'), []);
  assert.equal(receive('b7|NOTIFY', response(200)), true);
  assert.deepEqual(results.get('b7|NOTIFY')!.map((r) => r.status), [200]);
});

test('a failed send ends the row with one transport error', async () => {
  const { clock, table, results, start, failSendsFromNowOn } = tableRig();
  start('b3|NOTIFY');
  failSendsFromNowOn();
  clock.advance(T1); // the retransmission fails
  await flush();
  assert.deepEqual(results.get('b3|NOTIFY'), [{ status: 0, error: 'transport' }]);
  assert.equal(table.size, 0);
  clock.advance(64 * T1);
  assert.equal(results.get('b3|NOTIFY')!.length, 1);
});

test('thousands of rows share ONE host timer, and answered rows do not linger in the queues', () => {
  const { clock, table, results, start, receive } = tableRig();
  for (let i = 0; i < 5000; i++) {
    start(`r${i}|NOTIFY`);
    if (i % 100 === 99) clock.advance(1);
  }
  assert.equal(clock.pending, 1);
  for (let i = 0; i < 4990; i++) receive(`r${i}|NOTIFY`, response(200));
  assert.equal(table.size, 10);
  const queued = table as unknown as { fQueue: { length: number } };
  assert.ok(queued.fQueue.length < 2048, `stale Timer F entries were swept (${queued.fQueue.length} left)`);
  clock.advance(64 * T1);
  const timeouts = [...results.values()].filter((r) => r[0]?.status === 0).length;
  assert.equal(timeouts, 10);
  assert.equal(table.size, 0);
  assert.equal(clock.pending, 0);
});

test('through the stack: sendPrepared sets our Via, sends the bytes as built, matches the response, then absorbs its retransmission', async () => {
  const clock = new FakeClock();
  const transport = new RecordingTransportLayer(['udp']);
  const stack = new SipStack({ clock, transport, timers: { T1 } });
  const strays: SipResponse[] = [];
  stack.delegate = { onRequest: () => undefined, onStray: (r) => { strays.push(r); } };
  const outcomes: PreparedResult[] = [];
  const request: PreparedRequest = {
    via: '',
    wire() {
      return `NOTIFY sip:w@198.51.100.7:5070 SIP/2.0\r\nVia: ${this.via}\r\nMax-Forwards: 70\r\nFrom: <sip:2001@gw>;tag=ours\r\n`
        + 'To: <sip:w@198.51.100.7>;tag=theirs\r\nCall-ID: n1\r\nCSeq: 2 NOTIFY\r\nEvent: dialog\r\nSubscription-State: active;expires=60\r\nContent-Length: 0\r\n\r\n';
    },
    onFinal: (r) => outcomes.push(r),
  };
  const branch = stack.sendPrepared('NOTIFY', request, FLOW);
  const via = request.via;
  assert.equal(via, `SIP/2.0/UDP 192.0.2.1:5060;branch=${branch};rport`);
  assert.match(branch, /^z9hG4bK[0-9a-f]{24}[0-9a-z]+\.[0-9a-z]+$/);
  const text = request.wire() as string;
  await flush();
  assert.equal(transport.wire.length, 1);
  assert.equal(transport.wire[0]!.to, 'udp:198.51.100.7:5070');
  assert.equal(transport.wire[0]!.via, via);
  assert.equal(stack.counts.client, 1);
  const sent = parseMessage(Buffer.from(text));
  assert.ok(!isParseError(sent) && sent.kind === 'request');
  const ok = createResponseMessage({ status: 200, reason: 'OK', headers: [
    ['Via', via], ['From', '<sip:2001@gw>;tag=ours'], ['To', '<sip:w@198.51.100.7>;tag=theirs'], ['Call-ID', 'n1'], ['CSeq', '2 NOTIFY']] });
  transport.arrive(ok, 'udp:198.51.100.7:5070');
  transport.arrive(ok, 'udp:198.51.100.7:5070');
  assert.deepEqual(outcomes.map((o) => o.status), [200]);
  assert.equal(strays.length, 0, 'the retransmitted 200 was absorbed by the Completed row');
  assert.equal(stack.counts.client, 1, 'the Completed row');
  clock.advance(5000);
  assert.equal(stack.counts.client, 0);
  assert.throws(() => stack.sendPrepared('NOTIFY', preparedBytes(Buffer.from(text), () => undefined), { ...FLOW, transport: 'tcp' }), /UDP only/);
  await stack.close();
});

test('rows that time out together each hear exactly one timeout, also when stale entries are swept meanwhile', () => {
  const { clock, table, results, start, receive } = tableRig();
  for (let i = 0; i < 3000; i++) start(`t${i}|NOTIFY`);
  for (let i = 0; i < 3000; i += 3) receive(`t${i}|NOTIFY`, response(200));
  clock.advance(64 * T1);
  const outcomes = [...results.values()];
  assert.ok(outcomes.every((r) => r.length === 1), 'one outcome per row');
  assert.equal(outcomes.filter((r) => r[0]!.status === 0).length, 2000);
  assert.equal(outcomes.filter((r) => r[0]!.status === 200).length, 1000);
  assert.equal(table.size, 0);
  assert.equal(clock.pending, 0);
});

test('a row builds its request\'s bytes for each transmission, and only then', () => {
  const { clock, table, sends } = tableRig();
  let builds = 0;
  const branch = table.start('NOTIFY', { via: '', wire: () => { builds++; return 'NOTIFY built on demand'; }, onFinal: () => undefined }, FLOW);
  assert.equal(builds, 1, 'the first transmission');
  clock.advance(T1 + 2 * T1);
  assert.equal(builds, 3, 'one build per retransmission');
  assert.ok(sends.every((s) => s.bytes === 'NOTIFY built on demand'));
  assert.equal(table.receive(branch, 'NOTIFY', response(200)), true);
  clock.advance(64 * T1);
  assert.equal(builds, 3, 'nothing built once answered');
});

test('Rule 6: the branch names the row\'s slot; only the whole branch matches, and an answered row\'s slot is reused', () => {
  const { table, start, receive, branchOf, results } = tableRig();
  const vias: string[] = [];
  const first = table.start('NOTIFY', { via: '', wire() { vias.push(this.via); return 'x'; }, onFinal: () => undefined }, FLOW);
  assert.match(first, /^z9hG4bK[0-9a-f]{24}0\.0$/);
  assert.deepEqual(vias, [`SIP/2.0/UDP 192.0.2.1:5060;branch=${first}`], 'the Via is set before the first build');
  start('a|NOTIFY');
  start('b|NOTIFY');
  assert.match(branchOf.get('b')!, /\.2$/);
  const b = branchOf.get('b')!;
  const forged = `${b.slice(0, 10)}${b[10] === '0' ? '1' : '0'}${b.slice(11)}`;
  for (const other of [forged, `${b}0`, 'z9hG4bK.', 'z9hG4bKabc', 'z9hG4bK1234.zzzzzzzzzz', 'z9hG4bKx.-1', b.toUpperCase()]) {
    assert.equal(table.receive(other, 'NOTIFY', response(200)), false, other);
  }
  assert.deepEqual(results.get('b|NOTIFY'), []);
  assert.equal(receive('a|NOTIFY', response(200)), true);
  start('c|NOTIFY');
  assert.match(branchOf.get('c')!, /\.1$/, 'the slot of the answered row');
  assert.notEqual(branchOf.get('c'), branchOf.get('a'), 'a new branch all the same');
  const other = tableRig();
  other.start('a|NOTIFY');
  assert.notEqual(other.branchOf.get('a')!.slice(0, 31), first.slice(0, 31), 'another table draws another prefix');
  assert.equal(receive('a|NOTIFY', response(200)), false, 'the old branch does not reach the new row');
  assert.equal(receive('c|NOTIFY', response(200)), true);
  assert.equal(table.size, 2);
});
