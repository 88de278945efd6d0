import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseMessage, createResponse, createUasDialog, createUacDialog, createSubscriberDialog, createRequestInDialog,
  receiveRequestInDialog, restoreDialog, dialogId, dialogIdOfIncoming, createAckFor2xx, tagOf,
  type SipRequest,
} from '../../../../src/sip/index.js';

const SUBSCRIBE = parseMessage([
  'SUBSCRIBE sip:2002@gw.example.com SIP/2.0',
  'Via: SIP/2.0/TCP 10.0.0.21:5060;branch=z9hG4bKs1',
  'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
  'From: "Desk 2001" <sip:2001@gw.example.com>;tag=w1',
  'To: <sip:2002@gw.example.com>',
  'Call-ID: sub-1@10.0.0.21',
  'CSeq: 7 SUBSCRIBE',
  'Contact: <sip:2001@10.0.0.21:5060;transport=tcp>',
  'Event: dialog',
  'Expires: 3600',
  'Content-Length: 0', '', ''].join('\r\n')) as SipRequest;

test('UAS dialog from SUBSCRIBE + our 200: NOTIFY built in the dialog, CSeq increments, JSON round-trip', () => {
  const ok = createResponse(SUBSCRIBE, 200, undefined, { toTag: true });
  const d = createUasDialog(SUBSCRIBE, ok)!;
  assert.equal(d.remoteSeq, 7);
  assert.deepEqual(d.routeSet, ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
  const n1 = createRequestInDialog(d, 'NOTIFY', { headers: [['Event', 'dialog'], ['Subscription-State', 'active;expires=3600']] });
  const n2 = createRequestInDialog(d, 'NOTIFY');
  assert.equal(n1.uri, 'sip:2001@10.0.0.21:5060;transport=tcp');
  assert.deepEqual(n1.headers.getAll('route'), d.routeSet);
  assert.equal(n1.headers.get('cseq'), '1 NOTIFY');
  assert.equal(n2.headers.get('cseq'), '2 NOTIFY');
  assert.equal(tagOf(n1.headers.get('from')), tagOf(ok.headers.get('to')));
  assert.equal(tagOf(n1.headers.get('to')), 'w1');
  const restored = restoreDialog(JSON.parse(JSON.stringify(d)))!;
  assert.deepEqual(restored, d);
  assert.equal(createRequestInDialog(restored, 'NOTIFY').headers.get('cseq'), '3 NOTIFY');
  assert.ok(JSON.stringify(d).length < 640);
  assert.equal(restoreDialog({ callId: 1 }), null);
});

test('incoming in-dialog requests: CSeq order (500), wrong tags (481), target refresh', () => {
  const ok = createResponse(SUBSCRIBE, 200, undefined, { toTag: 'L' });
  const d = createUasDialog(SUBSCRIBE, ok)!;
  const refresh = parseMessage(SUBSCRIBE.headers.get('call-id') ? [
    'SUBSCRIBE sip:2002@gw.example.com SIP/2.0', 'Via: SIP/2.0/TCP 10.0.0.21:5060;branch=z9hG4bKs2',
    'From: <sip:2001@gw.example.com>;tag=w1', 'To: <sip:2002@gw.example.com>;tag=L', 'Call-ID: sub-1@10.0.0.21',
    'CSeq: 8 SUBSCRIBE', 'Contact: <sip:2001@10.0.0.99:5060>', '', ''].join('\r\n') : '') as SipRequest;
  assert.equal(dialogIdOfIncoming(refresh), dialogId(d));
  assert.deepEqual(receiveRequestInDialog(d, refresh), { ok: true });
  assert.equal(d.remoteTarget, 'sip:2001@10.0.0.99:5060');
  assert.deepEqual(receiveRequestInDialog(d, refresh), { ok: false, status: 500, reason: 'CSeq out of order' });
  refresh.headers.set('To', '<sip:2002@gw.example.com>;tag=other');
  assert.equal((receiveRequestInDialog(d, refresh) as { status: number }).status, 481);
});

test('UAC dialog from 2xx: route set reversed, ACK reuses INVITE CSeq, strict route handled', () => {
  const invite = parseMessage(SUBSCRIBE.headers.get('via') ? [
    'INVITE sip:2002@gw.example.com SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.21:5060;branch=z9hG4bKi1',
    'From: <sip:2001@gw.example.com>;tag=u1', 'To: <sip:2002@gw.example.com>', 'Call-ID: call-1', 'CSeq: 101 INVITE',
    'Contact: <sip:2001@10.0.0.21>', '', ''].join('\r\n') : '') as SipRequest;
  const ok = createResponse(invite, 200, undefined, { toTag: 'r1', headers: [['Record-Route', '<sip:a.example.com;lr>'], ['Record-Route', '<sip:b.example.com>'], ['Contact', '<sip:2002@10.0.0.22>']] });
  const d = createUacDialog(invite, ok)!;
  assert.deepEqual(d.routeSet, ['<sip:b.example.com>', '<sip:a.example.com;lr>']);
  const ack = createAckFor2xx(d, invite);
  assert.equal(ack.headers.get('cseq'), '101 ACK');
  // first route is a strict router: it becomes the Request-URI, remote target goes last
  assert.equal(ack.uri, 'sip:b.example.com');
  assert.deepEqual(ack.headers.getAll('route'), ['<sip:a.example.com;lr>', '<sip:2002@10.0.0.22>']);
  assert.equal(createRequestInDialog(d, 'BYE').headers.get('cseq'), '102 BYE');
});

test('subscriber dialog from the first NOTIFY (RFC 6665 §4.1.2.4)', () => {
  const notify = parseMessage([
    'NOTIFY sip:2001@10.0.0.21:5060 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKn1',
    'From: <sip:2002@gw.example.com>;tag=n1', 'To: <sip:2001@gw.example.com>;tag=w1', 'Call-ID: sub-1@10.0.0.21',
    'CSeq: 1 NOTIFY', 'Contact: <sip:gw@10.0.0.1>', 'Event: dialog', 'Subscription-State: active', '', ''].join('\r\n')) as SipRequest;
  const d = createSubscriberDialog(SUBSCRIBE, notify)!;
  assert.deepEqual([d.localTag, d.remoteTag, d.localSeq, d.remoteSeq, d.remoteTarget], ['w1', 'n1', 7, 1, 'sip:gw@10.0.0.1']);
  assert.equal(createRequestInDialog(d, 'SUBSCRIBE').headers.get('cseq'), '8 SUBSCRIBE');
});
