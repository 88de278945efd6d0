/**
 * `notifyWire`: the NOTIFY a subscription's dialog sends, as wire text (RFC 6665 §4.2.2, RFC 3261
 * §12.2.1.1) — parsed back here so every field is checked the way a phone reads it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isParseError, parseMessage, type Flow, type SipRequest } from '../../../../src/sip/index.js';
import { NotifyInDialog, SipSubscription, notifyWire, withRemoteTarget } from '../../../../src/adapters/sip-presence/sip-subscription.js';

const FLOW: Flow = { transport: 'udp', local: { host: '192.0.2.1', port: 5060 }, remote: { host: '198.51.100.7', port: 5070 } };
const VIA = 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport';

function parse(text: string): SipRequest {
  const m = parseMessage(Buffer.from(text, 'utf8'));
  assert.ok(!isParseError(m) && m.kind === 'request', 'the NOTIFY parses');
  return m;
}

function subscription(routes = '', eventId?: string): SipSubscription {
  const packed = ['call-1@phone', '<sip:2001@gw>;tag=watcher', '<sip:2002@gw>', 'sip:2001@198.51.100.7:5070', routes].join('\n');
  return new SipSubscription('ourtag', packed, FLOW, 4, 1, 0, eventId);
}

test('a NOTIFY goes to the remote target in the dialog: our tag in From, the watcher\'s To, CSeq one up', () => {
  const sub = subscription();
  const body = '<dialog-info>Zoë</dialog-info>';
  const req = parse(notifyWire(new NotifyInDialog(sub, { subscriptionState: 'active;expires=60', contentType: 'application/dialog-info+xml', body, contact: 'sip:192.0.2.1:5060' }), VIA));
  assert.equal(req.method, 'NOTIFY');
  assert.equal(req.uri, 'sip:2001@198.51.100.7:5070');
  assert.equal(req.headers.first('via'), VIA);
  assert.equal(req.headers.get('from'), '<sip:2002@gw>;tag=ourtag');
  assert.equal(req.headers.get('to'), '<sip:2001@gw>;tag=watcher');
  assert.equal(req.headers.get('call-id'), 'call-1@phone');
  assert.equal(req.headers.get('cseq'), '5 NOTIFY');
  assert.equal(sub.localCseq, 5);
  assert.equal(req.headers.get('contact'), '<sip:192.0.2.1:5060>');
  assert.equal(req.headers.get('event'), 'dialog');
  assert.equal(req.headers.get('subscription-state'), 'active;expires=60');
  assert.equal(req.headers.get('max-forwards'), '70');
  assert.equal(req.headers.has('route'), false);
  assert.equal(req.body.toString('utf8'), body, 'Content-Length counts UTF-8 bytes');
});

test('a NOTIFY built again is byte for byte the same, after a target refresh and the next NOTIFY too', () => {
  const sub = subscription();
  const content = { subscriptionState: 'active;expires=60', contentType: 'application/dialog-info+xml', body: '<d>Zoë 𝄞</d>', bodyBytes: 16, contact: 'sip:192.0.2.1:5060' };
  const first = new NotifyInDialog(sub, content);
  const text = notifyWire(first, VIA);
  sub.packed = withRemoteTarget(sub.packed, 'sip:2001@203.0.113.9:5080');
  const second = new NotifyInDialog(sub, content);
  assert.equal(notifyWire(first, VIA), text, 'the retransmission of the first NOTIFY');
  assert.equal(parse(text).headers.get('cseq'), '5 NOTIFY');
  assert.equal(parse(text).uri, 'sip:2001@198.51.100.7:5070');
  const next = parse(notifyWire(second, VIA));
  assert.equal(next.headers.get('cseq'), '6 NOTIFY');
  assert.equal(next.uri, 'sip:2001@203.0.113.9:5080');
  assert.equal(parse(text).body.toString('utf8'), '<d>Zoë 𝄞</d>', 'the given UTF-8 length frames the body');
});

test('the route set becomes Route, the Event id is echoed, and a NOTIFY without body has none', () => {
  const sub = subscription('<sip:proxy1;lr>, <sip:proxy2;lr>', '7');
  const req = parse(notifyWire(new NotifyInDialog(sub, { subscriptionState: 'terminated;reason=timeout', contact: 'sip:192.0.2.1:5060' }), VIA));
  assert.equal(req.headers.get('route'), '<sip:proxy1;lr>, <sip:proxy2;lr>');
  assert.equal(req.headers.get('event'), 'dialog;id=7');
  assert.equal(req.headers.has('content-type'), false);
  assert.equal(req.headers.get('content-length'), '0');
  assert.equal(req.body.length, 0);
});
