import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseMessage, serializeMessage, isParseError, createResponse, getTopVia, getCSeq, getFrom, getTo, parseCSeq,
  tagOf, parseUri, formatUri, parseEvent, parseSubscriptionState, parseAuthHeader, formatAuthHeader,
  generateBranch, generateTag, generateOrderedTag, type SipRequest,
} from '../../../../src/sip/index.js';

const OPTIONS = [
  'OPTIONS sip:bob@[2001:db8::10]:5070;transport=tcp SIP/2.0',
  'v: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9;rport, SIP/2.0/UDP p.example.com;branch=z9hG4bKx',
  'Via: SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK3;received=2001:db8::9',
  'Max-Forwards: 70',
  'f: "Alice \\"A\\"" <sip:alice@example.com>;tag=1928301774',
  't: sip:bob@example.com',
  'i: a84b4c76e66710@pc33.example.com',
  'CSeq: 63104 OPTIONS',
  'Subject: I know you\'re',
  '  there, pick up!',
  'l: 0',
  '',
  '',
].join('\r\n');

test('parses compact forms, folding, multiple Via in one field, IPv6 and quoted display names', () => {
  const m = parseMessage(OPTIONS);
  assert.ok(!isParseError(m), isParseError(m) ? m.reason : '');
  const req = m as SipRequest;
  assert.equal(req.method, 'OPTIONS');
  assert.equal(req.headers.getAll('via').length, 3);
  const via = getTopVia(req)!;
  assert.equal(via.transport, 'TCP');
  assert.equal(via.branch, 'z9hG4bK74bf9');
  assert.equal(via.rport, true);
  assert.equal(getCSeq(req)!.seq, 63104);
  assert.equal(getFrom(req)!.display, 'Alice "A"');
  assert.equal(tagOf(req.headers.get('from')), '1928301774');
  assert.equal(getTo(req)!.uri, 'sip:bob@example.com');
  assert.equal(req.headers.get('subject'), "I know you're there, pick up!");
  const uri = parseUri(req.uri)!;
  assert.equal(uri.host, '[2001:db8::10]');
  assert.equal(uri.port, 5070);
  assert.equal(uri.params.get('transport'), 'tcp');
  assert.equal(formatUri(uri), req.uri);
});

test('serialize → parse round-trips and recomputes Content-Length', () => {
  const req = parseMessage(OPTIONS) as SipRequest;
  req.body = Buffer.from('hello');
  const again = parseMessage(serializeMessage(req)) as SipRequest;
  assert.equal(again.body.toString(), 'hello');
  assert.equal(again.headers.get('content-length'), '5');
  assert.deepEqual([...again.headers.entries()].length, [...req.headers.entries()].length);
});

test('createResponse copies Via/From/To/Call-ID/CSeq and adds a To-tag', () => {
  const req = parseMessage(OPTIONS) as SipRequest;
  const res = createResponse(req, 200, undefined, { toTag: true });
  assert.equal(res.reason, 'OK');
  assert.equal(res.headers.getAll('via').length, 3);
  assert.ok((tagOf(res.headers.get('to')) ?? '').length >= 22);
  assert.equal(res.headers.get('call-id'), 'a84b4c76e66710@pc33.example.com');
  const trying = createResponse(req, 100, undefined, { toTag: true });
  assert.equal(tagOf(trying.headers.get('to')), undefined);
});

test('errors are values with a status, never throws', () => {
  const cases: Array<[string, number]> = [
    ['garbage', 400],
    ['OPTIONS sip:a@b SIP/7.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n', 505],
    [OPTIONS.replace('CSeq: 63104 OPTIONS', 'CSeq: 63104 INVITE'), 400],
    [OPTIONS.replace('l: 0', 'l: 99'), 400],
    [OPTIONS.replace('CSeq: 63104', 'CSeq: 9999999999'), 400],
  ];
  for (const [text, status] of cases) {
    const r = parseMessage(text);
    assert.ok(isParseError(r), text.slice(0, 30));
    assert.equal(r.status, status, text.slice(0, 30));
  }
});

test('a bare CR or LF inside a header value is a 400 (it would be echoed into our answers as a new field)', () => {
  for (const brk of ['\r', '\n']) {
    const text = OPTIONS.replace('CSeq: 63104 OPTIONS', `CSeq: 63104 OPTIONS\r\nSubject: hi${brk}Injected: yes`);
    const r = parseMessage(text);
    assert.ok(isParseError(r), JSON.stringify(brk));
    assert.equal(r.status, 400);
    assert.equal(r.reason, 'Line break inside a header value');
    assert.ok(r.partial !== undefined, 'the partial message lets the transport answer 400');
  }
  // where the line scan meets a bare break: at a line's start, on the last line, inside a folded value
  const placed = [
    OPTIONS.replace('Max-Forwards: 70', 'Max-Forwards: 70\r\n\nX-Bad: 1'),
    OPTIONS.replace('l: 0\r\n\r\n', 'l: 0\r\nX-Last: a\rb\r\n\r\n'),
    OPTIONS.replace('l: 0\r\n\r\n', 'l: 0\r\nX-Last: a\nb\r\n\r\n'),
    OPTIONS.replace('  there, pick up!', '  there,\npick up!'),
  ];
  for (const text of placed) {
    const r = parseMessage(text);
    assert.ok(isParseError(r) && r.status === 400, JSON.stringify(text.slice(-60)));
  }
  const folded = parseMessage(OPTIONS.replace('CSeq: 63104 OPTIONS', 'CSeq: 63104 OPTIONS\r\nSubject: one\r\n two'));
  assert.ok(!isParseError(folded));
  assert.equal(folded.headers.get('subject'), 'one two', 'folding (CRLF + WSP) stays legal');
});

test('CSeq: number and method with any LWS between, 31-bit range, token method', () => {
  assert.deepEqual(parseCSeq('63104 OPTIONS'), { seq: 63104, method: 'OPTIONS' });
  assert.deepEqual(parseCSeq(' 1\t \tNOTIFY '), { seq: 1, method: 'NOTIFY' });
  assert.deepEqual(parseCSeq('2147483647 X-CUSTOM.1'), { seq: 2147483647, method: 'X-CUSTOM.1' });
  for (const bad of ['', 'OPTIONS', '1', '1 ', '12OPTIONS', '2147483648 OPTIONS', '12345678901 A', '-1 A', '1 OPT IONS', '1 <A>', ' 1 A;x']) {
    assert.equal(parseCSeq(bad), null, JSON.stringify(bad));
  }
});

test('Event, Subscription-State and Digest headers', () => {
  const ev = parseEvent('Presence.winfo;id=7;x="y"')!;
  assert.deepEqual([ev.package, ev.templates, ev.id], ['presence', ['winfo'], '7']);
  const ss = parseSubscriptionState('terminated;reason=timeout;retry-after=30')!;
  assert.deepEqual([ss.state, ss.reason, ss.retryAfter], ['terminated', 'timeout', 30]);
  const a = parseAuthHeader('Digest realm="x, y", nonce="abc", qop="auth,auth-int", algorithm=SHA-256, stale=true')!;
  assert.equal(a.params.get('realm'), 'x, y');
  assert.equal(a.params.get('qop'), 'auth,auth-int');
  const again = parseAuthHeader(formatAuthHeader(a))!;
  assert.deepEqual([...again.params], [...a.params]);
});

test('random ids carry ≥128 bits and the magic cookie', () => {
  const b = generateBranch();
  assert.ok(b.startsWith('z9hG4bK') && b.length >= 7 + 22);
  assert.notEqual(generateTag(), generateTag());
});

test('ordered tags: 32 hex digits, later ones sort later, distinct within one millisecond', () => {
  const t = 1_733_400_000_000;
  const a = generateOrderedTag(t);
  const b = generateOrderedTag(t);
  const c = generateOrderedTag(t + 1);
  for (const tag of [a, b, c]) assert.match(tag, /^[0-9a-f]{32}$/);
  assert.notEqual(a, b, '88 random bits follow the time');
  assert.equal(a.slice(0, 10), b.slice(0, 10));
  assert.ok(a < c && b < c, 'a later millisecond sorts after');
  const ids = Array.from({ length: 1000 }, (_, i) => generateOrderedTag(t + i * 7));
  assert.deepEqual([...ids].sort(), ids, 'ids sort in the order they were made');
});
