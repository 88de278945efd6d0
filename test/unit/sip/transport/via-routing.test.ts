import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, isParseError, getTopVia, peekTopVia, type SipRequest } from '../../../../src/sip/index.js';
import { stampReceived } from '../../../../src/sip/transport/via-routing.js';

function withVia(via: string): SipRequest {
  const m = parseMessage([
    'OPTIONS sip:x@gw SIP/2.0', `Via: ${via}`, 'From: <sip:a@gw>;tag=1', 'To: <sip:x@gw>', 'Call-ID: c', 'CSeq: 1 OPTIONS',
    'Content-Length: 0', '', ''].join('\r\n'));
  assert.ok(!isParseError(m));
  return m as SipRequest;
}

// RFC 3261 §18.2.1 (received when the host differs) and RFC 3581 §4 (rport filled in, received added)
const CASES: Array<{ via: string; from: [string, number]; expect: string }> = [
  { via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1', from: ['127.0.0.1', 5070], expect: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1' },
  { via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;rport', from: ['127.0.0.1', 40000], expect: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1;rport=40000;received=127.0.0.1' },
  { via: 'SIP/2.0/UDP 10.0.0.5:5070;rport;branch=z9hG4bK1', from: ['192.0.2.1', 1234], expect: 'SIP/2.0/UDP 10.0.0.5:5070;rport=1234;branch=z9hG4bK1;received=192.0.2.1' },
  { via: 'SIP/2.0/UDP phone.example.com;branch=z9hG4bK1', from: ['192.0.2.1', 5060], expect: 'SIP/2.0/UDP phone.example.com;branch=z9hG4bK1;received=192.0.2.1' },
  { via: 'SIP/2.0/UDP [2001:db8::5]:5062;branch=z9hG4bK1;rport', from: ['2001:db8::9', 5062], expect: 'SIP/2.0/UDP [2001:db8::5]:5062;branch=z9hG4bK1;rport=5062;received=2001:db8::9' },
  // an existing received is replaced, so the whole Via is formatted again
  { via: 'SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1;received=10.9.9.9', from: ['192.0.2.1', 5060], expect: 'SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1;received=192.0.2.1' },
];

for (const c of CASES) {
  test(`stampReceived: ${c.via} from ${c.from.join(':')}`, () => {
    const req = withVia(c.via);
    stampReceived(req, { host: c.from[0], port: c.from[1] });
    assert.equal(req.headers.get('via'), c.expect);
    const fresh = getTopVia(req)!;
    const peeked = peekTopVia(req)!;
    assert.equal(peeked.received, fresh.received);
    assert.equal(peeked.rport, fresh.rport);
    assert.equal(peeked.branch, fresh.branch);
  });
}
