import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseMessage, isParseError, createResponse, peekTopVia, peekCSeq, peekFrom, peekTo, tagOfView, getTopVia,
  writeTopVia, formatVia, generateTag, generateBranch, generateCallId, randomToken, SipHeaders, type SipRequest,
} from '../../../../src/sip/index.js';

function request(lines: string[]): SipRequest {
  const m = parseMessage([...lines, 'Content-Length: 0', '', ''].join('\r\n'));
  assert.ok(!isParseError(m), isParseError(m) ? m.reason : '');
  return m as SipRequest;
}

const BASE = [
  'OPTIONS sip:2001@gw.example.com SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bKa1;rport, SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp',
  'From: "Desk" <sip:1001@gw.example.com>;tag=f1',
  'To: <sip:2001@gw.example.com>',
  'Call-ID: c1@10.0.0.5',
  'CSeq: 7 OPTIONS',
];

test('memoize parses once per raw value and never returns a stale parse', () => {
  const h = new SipHeaders().append('Expires', '60');
  let calls = 0;
  const parse = (raw: string) => {
    calls++;
    return Number(raw);
  };
  assert.equal(h.memoize(h.get('expires')!, parse), 60);
  assert.equal(h.memoize(h.get('expires')!, parse), 60);
  assert.equal(calls, 1);
  h.set('Expires', '120');
  assert.equal(h.memoize(h.get('expires')!, parse), 120);
  assert.equal(calls, 2);
});

test('peek views read the parsed fields the parser validated; an edited header is read anew', () => {
  const req = request(BASE);
  const via = peekTopVia(req)!;
  assert.equal(via.host, '10.0.0.5');
  assert.equal(via.port, 5062);
  assert.equal(via.rport, true);
  assert.equal(peekTopVia(req), via, 'same object on the second read');
  assert.equal(peekCSeq(req)!.seq, 7);
  assert.equal(tagOfView(peekFrom(req)), 'f1');
  assert.equal(tagOfView(peekTo(req)), undefined);
  req.headers.set('To', '<sip:2001@gw.example.com>;tag=t9');
  assert.equal(tagOfView(peekTo(req)), 't9');
  assert.equal(tagOfView(peekFrom(req)), 'f1', 'From keeps its own memo slot');
});

test('a response shares the request memo but sees its own To tag', () => {
  const req = request(BASE);
  const res = createResponse(req, 200, 'OK', { toTag: 'abc' });
  assert.equal(peekTopVia(res)!.branch, 'z9hG4bKa1');
  assert.equal(tagOfView(peekTo(res)), 'abc');
  assert.equal(res.headers.get('to'), '<sip:2001@gw.example.com>;tag=abc');
  assert.equal(tagOfView(peekTo(req)), undefined, 'the request is untouched');
});

test('createResponse replaces a valueless ;tag instead of adding a second one', () => {
  const req = request([...BASE.slice(0, 3), 'To: <sip:2001@gw.example.com>;tag', ...BASE.slice(4)]);
  const res = createResponse(req, 200, 'OK', { toTag: 'x1' });
  assert.equal(res.headers.get('to'), '<sip:2001@gw.example.com>;tag=x1');
});

test('writeTopVia keeps the other Via values of the field and the memo in step', () => {
  const req = request(BASE);
  const via = getTopVia(req)!;
  via.received = '192.0.2.7';
  writeTopVia(req, formatVia(via), via);
  assert.equal(req.headers.getAll('via').length, 2);
  assert.match(req.headers.getAll('via')[1]!, /proxy\.example\.com/);
  assert.equal(peekTopVia(req)!.received, '192.0.2.7');
  assert.equal(getTopVia(req)!.received, '192.0.2.7', 'a fresh parse of the written text agrees');
});

test('random ids: right length, hex only, no repeats across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const tag = generateTag();
    assert.match(tag, /^[0-9a-f]{32}$/);
    seen.add(tag);
  }
  assert.equal(seen.size, 2000);
  assert.match(generateBranch(), /^z9hG4bK[0-9a-f]{32}$/);
  assert.match(generateCallId('h.example.com'), /^[0-9a-f]{32}@h\.example\.com$/);
  assert.match(randomToken(33), /^[0-9a-f]{9}$/);
});
