/**
 * `sendToTrunk` over a real `SipStack` in virtual time: a trunk host with several A records fails
 * over along them (RFC 3263 §4.3, done by the stack), so the relay sees the answer of the address
 * that worked, not the refused one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, SipResolver, SipStack, createRequest, createResponse, type SipRequest } from '../../../../src/sip/index.js';
import type { Trunk } from '../../../../src/core/index.js';
import { sendToTrunk } from '../../../../src/adapters/trunk/index.js';
import { fakeDns } from '../../sip/transport/fake-dns.js';
import { RecordingTransportLayer } from '../../sip/transport/recording-transport-layer.js';

const TRUNK: Trunk = {
  name: 'cluster-b', host: 'cucm-b.test', port: 5060, transport: 'udp', accessList: [], subscribeCss: null, callingCss: null,
  presenceGroup: 'Standard Presence Group', origin: { kind: 'builtin' },
};

test('trunk request: the first A record refuses, the second answers — the relay gets the 202', async () => {
  const wire = new RecordingTransportLayer();
  wire.refused.add('192.0.2.20');
  const dns = fakeDns({ a: { 'cucm-b.test': ['192.0.2.20', '192.0.2.21'] } });
  const stack = new SipStack({ clock: new FakeClock(), transport: wire, resolver: new SipResolver(dns) });
  const req = createRequest({ method: 'SUBSCRIBE', uri: 'sip:8123@cucm-b.test', headers: [
    ['From', '<sip:gw@blf.test>;tag=f1'], ['To', '<sip:8123@cucm-b.test>'], ['Call-ID', 'relay-1'], ['CSeq', '1 SUBSCRIBE'], ['Event', 'dialog']] });
  const answer = sendToTrunk(stack, TRUNK, req);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(wire.requests(), ['SUBSCRIBE udp:192.0.2.20:5060', 'SUBSCRIBE udp:192.0.2.21:5060']);
  wire.arrive(createResponse(wire.wire.at(-1)!.msg as SipRequest, 202, undefined, { toTag: 'b' }));
  const got = await answer;
  assert.equal(got.kind, 'response');
  assert.equal(got.kind === 'response' && got.response.status, 202);
});
