import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipStack, SILENT_LOGGER, type Flow } from '../../../src/sip/index.js';
import { SipEndpoint } from '../../../src/app/sip-endpoint.js';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, child: () => quiet };

test('contactFor: the address the peer reached, the advertised host for a wildcard bind, transport for streams; same answer when asked again', () => {
  const ep = new SipEndpoint(new SipStack({ logger: SILENT_LOGGER }), quiet, 'gw.example.com');
  const udpLocal = { host: '192.0.2.1', port: 5060 };
  const flow = (transport: Flow['transport'], local: { host: string; port: number }): Flow => ({ transport, local, remote: { host: '198.51.100.7', port: 5070 } });
  for (let round = 0; round < 2; round++) {
    assert.equal(ep.contactFor(flow('udp', udpLocal)), 'sip:192.0.2.1:5060');
    assert.equal(ep.contactFor(flow('tcp', udpLocal)), 'sip:192.0.2.1:5060;transport=tcp', 'same listen point, other transport');
    assert.equal(ep.contactFor(flow('udp', { host: '0.0.0.0', port: 5062 })), 'sip:gw.example.com:5062');
    assert.equal(ep.contactFor(flow('ws', { host: '2001:db8::1', port: 8088 })), 'sip:[2001:db8::1]:8088;transport=ws');
  }
});
