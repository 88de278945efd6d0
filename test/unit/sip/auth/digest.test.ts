import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  md5Hex, sha256Hex, computeDigestResponse, DigestServer, answerChallenge, createRequest, parseAuthHeader,
  type SipRequest,
} from '../../../../src/sip/index.js';

test('hash vectors (RFC 1321 §A.5, FIPS 180-2)', () => {
  assert.equal(md5Hex(''), 'd41d8cd98f00b204e9800998ecf8427e');
  assert.equal(md5Hex('abc'), '900150983cd24fb0d6963f7d28e17f72');
  assert.equal(md5Hex('12345678901234567890123456789012345678901234567890123456789012345678901234567890'), '57edf4a22be3c955ac49da2e2107b67a');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
});

test('RFC 7616 §3.9.1 example responses (MD5 and SHA-256)', () => {
  const base = { username: 'Mufasa', realm: 'http-auth@example.org', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', qop: 'auth', nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };
  assert.equal(computeDigestResponse({ ...base, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(computeDigestResponse({ ...base, algorithm: 'SHA-256' }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

function register(): SipRequest {
  return createRequest({ method: 'REGISTER', uri: 'sip:cucm.example.com', headers: [
    ['Via', 'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKr1'], ['From', '<sip:2001@cucm.example.com>;tag=a'],
    ['To', '<sip:2001@cucm.example.com>'], ['Call-ID', 'reg1'], ['CSeq', '1 REGISTER']] });
}

test('challenge → answer → verify, with replay, stale nonce, wrong password, both algorithms', () => {
  let now = 0;
  const server = new DigestServer({ realm: 'cucm.example.com', now: () => now, nonceTtlMs: 1000 });
  const lookup = (u: string) => (u === '2001' ? { password: 'secret' } : undefined);
  const req = register();
  assert.deepEqual(server.verify(req, lookup), { ok: false, reason: 'missing' });
  const ch = server.challenge(req);
  assert.equal(ch.status, 401);
  assert.equal(ch.headers.getAll('www-authenticate').length, 2);
  const authed = answerChallenge(req, ch, { username: '2001', password: 'secret' })!;
  assert.equal(authed.headers.get('cseq'), '2 REGISTER');
  assert.equal(parseAuthHeader(authed.headers.get('authorization')!)!.params.get('algorithm'), 'SHA-256');
  assert.deepEqual(server.verify(authed, lookup), { ok: true, username: '2001' });
  assert.deepEqual(server.verify(authed, lookup), { ok: false, reason: 'replay' });
  const next = answerChallenge(req, ch, { username: '2001', password: 'secret' }, 2)!;
  assert.deepEqual(server.verify(next, lookup), { ok: true, username: '2001' });
  const wrong = answerChallenge(req, ch, { username: '2001', password: 'nope' }, 3)!;
  assert.deepEqual(server.verify(wrong, lookup), { ok: false, reason: 'wrong-response' });
  now = 2000;
  const late = answerChallenge(req, ch, { username: '2001', password: 'secret' }, 4)!;
  assert.deepEqual(server.verify(late, lookup), { ok: false, reason: 'stale' });
  assert.match(server.challenge(req, true).headers.get('www-authenticate')!, /stale=true/);
  const md5Only = new DigestServer({ realm: 'r', algorithms: ['MD5'], now: () => 0, proxy: true });
  const pch = md5Only.challenge(req);
  assert.equal(pch.status, 407);
  const pa = answerChallenge(req, pch, { username: '2001', password: 'secret' })!;
  assert.deepEqual(md5Only.verify(pa, lookup), { ok: true, username: '2001' });
});

test('nonce memory is bounded', () => {
  const server = new DigestServer({ realm: 'r', now: () => 0, maxNonces: 10 });
  for (let i = 0; i < 100; i++) server.challenge(register());
  assert.equal(server.nonceCount, 10);
});

test('malformed credentials are a verdict, not a throw', () => {
  const server = new DigestServer({ realm: 'r', now: () => 0 });
  const req = register();
  for (const v of ['Digest', 'Digest realm="r"', 'Digest realm="r", username="x", nonce="n", uri="sip:x", response="y", qop=auth', '%%%']) {
    req.headers.set('Authorization', v);
    assert.equal(server.verify(req, () => ({ password: 'p' })).ok, false, v);
  }
});

test('Rule 3: over WebSocket an offered MD5 challenge goes last; other transports keep the configured order', () => {
  const algorithmsOf = (server: DigestServer, via: string) => {
    const req = register();
    req.headers.set('Via', via);
    return server.challenge(req).headers.getAll('www-authenticate').map((v) => parseAuthHeader(v)!.params.get('algorithm'));
  };
  const gatewayOrder = new DigestServer({ realm: 'r', algorithms: ['MD5', 'SHA-256'], now: () => 0 });
  assert.deepEqual(algorithmsOf(gatewayOrder, 'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKa'), ['MD5', 'SHA-256']);
  assert.deepEqual(algorithmsOf(gatewayOrder, 'SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bKa'), ['MD5', 'SHA-256']);
  assert.deepEqual(algorithmsOf(gatewayOrder, 'SIP/2.0/WS abc.invalid;branch=z9hG4bKa'), ['SHA-256', 'MD5']);
  assert.deepEqual(algorithmsOf(gatewayOrder, 'SIP/2.0/WSS abc.invalid;branch=z9hG4bKa'), ['SHA-256', 'MD5']);
  const sha256Only = new DigestServer({ realm: 'r', algorithms: ['SHA-256'], now: () => 0 });
  assert.deepEqual(algorithmsOf(sha256Only, 'SIP/2.0/WS abc.invalid;branch=z9hG4bKa'), ['SHA-256']);
});
