/**
 * RFC 3261 §17.2.2 through the stack: once a non-INVITE's final response went out over UDP, the
 * Completed state lives on as a row of `CompletedNonInviteTable` (completed-non-invite.ts) that
 * re-sends the final on every retransmission until Timer J; over TCP nothing is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FakeClock, SipStack, createRequest, createResponse, generateBranch, serializeMessage, stampReceived, SILENT_LOGGER,
  type Flow, type SipRequest, type ServerTransaction,
} from '../../../../src/sip/index.js';
import { CompletedNonInviteTable } from '../../../../src/sip/transaction/completed-non-invite.js';
import { RecordingTransportLayer } from '../transport/recording-transport-layer.js';

const T1 = 500;
const flush = () => new Promise((r) => setImmediate(r));

function options(branch: string): SipRequest {
  return createRequest({ method: 'OPTIONS', uri: 'sip:gw@192.0.2.1', headers: [
    ['Via', `SIP/2.0/UDP 198.51.100.7:5070;branch=${branch}`], ['From', '<sip:a@198.51.100.7>;tag=1'],
    ['To', '<sip:gw@192.0.2.1>'], ['Call-ID', 'c1'], ['CSeq', '1 OPTIONS'], ['Max-Forwards', '70']] });
}

function rig(protocol: 'udp' | 'tcp' = 'udp') {
  const clock = new FakeClock();
  const transport = new RecordingTransportLayer([protocol]);
  const stack = new SipStack({ clock, transport, timers: { T1 } });
  const seen: ServerTransaction[] = [];
  stack.delegate = { onRequest: (tx) => { seen.push(tx); tx.reply(200, 'OK', { toTag: true }); } };
  const remote = `${protocol}:198.51.100.7:5070`;
  return { clock, transport, stack, seen, remote };
}

test('UDP: retransmissions get the same final response from the record; Timer J ends it', async () => {
  const { clock, transport, stack, seen, remote } = rig();
  const branch = generateBranch();
  transport.arrive(options(branch), remote);
  await flush();
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.state, 'terminated', 'the TU transaction handed its Completed state over');
  assert.equal(stack.counts.server, 1, 'the record keeps the key');
  transport.arrive(options(branch), remote);
  transport.arrive(options(branch), remote);
  await flush();
  const finals = transport.wire.filter((w) => w.msg.kind === 'response');
  assert.equal(finals.length, 3);
  assert.equal(seen.length, 1, 'retransmissions never reach the TU');
  assert.deepEqual(serializeMessage(finals[1]!.msg), serializeMessage(finals[0]!.msg), 'the very same bytes are re-sent');
  assert.deepEqual(serializeMessage(finals[2]!.msg), serializeMessage(finals[0]!.msg));
  assert.equal(finals[2]!.to, remote);
  clock.advance(64 * T1 - 1);
  assert.equal(stack.counts.server, 1);
  clock.advance(1);
  assert.equal(stack.counts.server, 0);
  assert.equal(clock.pending, 0, 'no timer left behind');
  transport.arrive(options(branch), remote);
  await flush();
  assert.equal(seen.length, 2, 'after Timer J the same branch is a new transaction');
  await stack.close();
});

test('UDP: a failed first send is reported to the TU and nothing is kept', async () => {
  const { transport, stack, remote } = rig();
  transport.refused.add('198.51.100.7');
  const errors: string[] = [];
  stack.delegate = { onRequest: (tx) => {
    tx.delegate = { onTransportError: (e) => errors.push(e.reason) };
    tx.reply(200, 'OK');
  } };
  transport.arrive(options(generateBranch()), remote);
  await flush();
  assert.equal(errors.length, 1);
  assert.equal(stack.counts.server, 0);
  await stack.close();
});

test('TCP: Timer J is zero, so no record is kept', async () => {
  const { clock, transport, stack, remote } = rig('tcp');
  transport.arrive(options(generateBranch()), remote);
  await flush();
  clock.advance(0);
  assert.equal(stack.counts.server, 0);
  assert.equal(transport.wire.filter((w) => w.msg.kind === 'response').length, 1);
  await stack.close();
});

/* ---- the table alone (Rule 1: one FIFO, one timer; Rule 3: a failed re-send ends the row) ---- */

function tableRig(failHosts: Set<string> = new Set()) {
  const clock = new FakeClock();
  const sent: Array<{ text: string; to: string }> = [];
  const table = new CompletedNonInviteTable({
    clock, logger: SILENT_LOGGER,
    sendBytes: (bytes, flow) => {
      sent.push({ text: bytes.toString('latin1'), to: `${flow.remote.host}:${flow.remote.port}` });
      return failHosts.has(flow.remote.host) ? Promise.reject(new Error('EHOSTUNREACH')) : Promise.resolve(flow);
    },
  }, 64 * T1);
  const flow = (host: string, port: number): Flow => ({ transport: 'udp', local: { host: '192.0.2.1', port: 5060 }, remote: { host, port } });
  return { clock, sent, table, flow };
}

test('table: rows expire in insertion order under one timer, across compactions', () => {
  const { clock, sent, table, flow } = tableRig();
  const rows = 10_000;
  for (let i = 0; i < rows; i++) {
    table.add(`k${i}`, `SIP/2.0 200 OK ${i}\u00e9`, flow('198.51.100.7', 1000 + (i % 50)));
    if (i % 1000 === 999) clock.advance(1000); // rows 0..999 are oldest
  }
  assert.equal(table.size, rows);
  assert.equal(clock.pending, 1, 'one timer for the whole table');
  clock.advance(64 * T1 - 10_000 + 1); // rows added before t=1000 are now past their deadline
  assert.equal(table.size, rows - 1000);
  assert.equal(table.resend('k5'), false);
  clock.advance(5000); // five more thousand-row bands expire; the arrays compact
  assert.equal(table.size, rows - 6000);
  assert.equal(table.resend('k7321'), true, 'a row after compaction is still found by its key');
  assert.deepEqual(sent.at(-1), { text: 'SIP/2.0 200 OK 7321\u00e9', to: '198.51.100.7:1021' }, 'its own text and target, bytes intact');
  clock.advance(64 * T1);
  assert.equal(table.size, 0);
  assert.equal(clock.pending, 0, 'no timer once empty');
  table.add('again', 'x', flow('198.51.100.7', 1));
  assert.equal(clock.pending, 1, 'a new row re-arms it');
  table.clear();
  assert.equal(clock.pending, 0);
});

test('table: a transport error while re-sending ends that row only', async () => {
  const { table, flow } = tableRig(new Set(['203.0.113.9']));
  table.add('bad', 'SIP/2.0 200 OK', flow('203.0.113.9', 5060));
  table.add('good', 'SIP/2.0 200 OK', flow('198.51.100.7', 5060));
  assert.equal(table.resend('bad'), true);
  await flush();
  assert.equal(table.has('bad'), false);
  assert.equal(table.resend('good'), true);
  await flush();
  assert.equal(table.has('good'), true);
});

test('UDP: the re-sent final goes to the Via received/rport target (RFC 3581), not the source flow', async () => {
  const { transport, stack, remote } = rig();
  const branch = generateBranch();
  const req = () => {
    const r = options(branch);
    r.headers.set('Via', `SIP/2.0/UDP 10.0.0.5:5070;rport;branch=${branch}`);
    stampReceived(r, { host: '198.51.100.7', port: 5071 }); // as the UDP transport does on receipt
    return r;
  };
  transport.arrive(req(), remote);
  await flush();
  transport.arrive(req(), remote);
  await flush();
  const finals = transport.wire.filter((w) => w.msg.kind === 'response');
  assert.equal(finals.length, 2);
  assert.equal(finals[1]!.to, 'udp:198.51.100.7:5071', 'received + rport, as the first answer went');
  assert.match(finals[1]!.msg.headers.get('via')!, /rport=5071;.*received=198\.51\.100\.7/);
  await stack.close();
});

test('UDP client: after a non-INVITE final only a key stays; retransmitted finals are absorbed until Timer K', async () => {
  const clock = new FakeClock();
  const transport = new RecordingTransportLayer(['udp']);
  const stack = new SipStack({ clock, transport, timers: { T1, T4: 5000 } });
  const strays: number[] = [];
  stack.delegate = { onStray: (res) => strays.push(res.status) };
  const finals: number[] = [];
  let terminated = 0;
  const req = createRequest({ method: 'NOTIFY', uri: 'sip:w@198.51.100.7:5070', headers: [
    ['From', '<sip:gw@192.0.2.1>;tag=a'], ['To', '<sip:w@198.51.100.7>;tag=b'], ['Call-ID', 'n1'], ['CSeq', '2 NOTIFY']] });
  const tx = stack.sendRequest(req, { destination: { transport: 'udp', host: '198.51.100.7', port: 5070 }, delegate: {
    onResponse: (res) => finals.push(res.status), onTerminated: () => terminated++ } });
  await flush();
  const ok = () => createResponse(tx.request, 200, 'OK');
  transport.arrive(ok(), 'udp:198.51.100.7:5070');
  assert.deepEqual(finals, [200]);
  assert.equal(tx.state, 'terminated', 'the object handed its Completed state over');
  assert.equal(terminated, 1);
  assert.deepEqual(stack.counts, { server: 0, client: 1 });
  transport.arrive(ok(), 'udp:198.51.100.7:5070');
  assert.deepEqual(finals, [200], 'the TU hears the final once');
  assert.deepEqual(strays, [], 'a retransmitted final within T4 is absorbed, not stray');
  clock.advance(5000);
  assert.deepEqual(stack.counts, { server: 0, client: 0 });
  transport.arrive(ok(), 'udp:198.51.100.7:5070');
  assert.deepEqual(strays, [200], 'after Timer K it matches nothing');
  await stack.close();
});

test('UDP: the row replaces the transaction as the final is handed to the transport, unless the TU waits on a transport error', async () => {
  const clock = new FakeClock();
  const transport = new RecordingTransportLayer(['udp']);
  const stack = new SipStack({ clock, transport, timers: { T1 } });
  const states: Array<[string, string]> = [];
  let terminated = 0;
  stack.delegate = {
    onRequest: (tx) => {
      const waits = tx.request.headers.get('call-id') === 'waits';
      tx.delegate = waits ? { onTransportError: () => undefined, onTerminated: () => terminated++ } : { onTerminated: () => terminated++ };
      tx.reply(200, 'OK', { toTag: true });
      states.push([tx.request.headers.get('call-id')!, tx.state]); // before any send has settled
    },
  };
  const at = (callId: string) => {
    const r = options(generateBranch());
    r.headers.set('Call-ID', callId);
    return r;
  };
  transport.arrive(at('free'), 'udp:198.51.100.7:5070');
  transport.arrive(at('waits'), 'udp:198.51.100.7:5070');
  assert.deepEqual(states, [['free', 'terminated'], ['waits', 'completed']]);
  assert.equal(terminated, 1, 'the free one terminated once, at once');
  assert.equal(clock.pending, 2, "the row table's one timer and the waiting transaction's Timer J");
  await flush();
  assert.equal(terminated, 2, 'the waiting one hands over once its send succeeded');
  assert.equal(stack.counts.server, 2, 'both live on as rows');
  await stack.close();
});
