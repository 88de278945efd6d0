/**
 * RFC 3261 §17.2.2 through the stack: once a non-INVITE's final response went out over UDP, the
 * Completed state lives on as a `CompletedNonInvite` record (completed-non-invite.ts) that re-sends
 * the final on every retransmission until Timer J; over TCP nothing is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, SipStack, createRequest, generateBranch, type SipRequest, type ServerTransaction } from '../../../../src/sip/index.js';
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
  assert.equal(finals[1]!.msg, finals[0]!.msg, 'the very same response is re-sent');
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
