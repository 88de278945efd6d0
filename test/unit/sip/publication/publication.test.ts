// RFC 3903 publisher: ETag lifecycle, coalescing, 412 / 423 / backoff, persistence (issue 6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Publication, PublicationSet, createPublishRequest, readPublishResponse, classifyAnswer, serializeMessage,
  createResponseMessage, IllegalTransitionError, transitionPublication,
  type PublicationBody, type PublishOperation,
} from '../../../../src/sip/index.js';
import { PUBLICATION_TABLE } from '../../../../src/sip/publication/index.js';

const pidf = (s: string): PublicationBody => ({ contentType: 'application/pidf+xml', text: `<presence>${s}</presence>` });
const opts = { expires: 3600, coalesceMs: 100, refreshMarginMs: 30_000, backoffInitialMs: 1000, backoffMaxMs: 60_000, random: () => 0.5 };

function published(now = 0, etag = 'e1'): Publication {
  const p = new Publication(opts);
  p.set(pidf('idle'), now);
  const op = p.poll(now + 100)!;
  assert.equal(op.kind, 'initial');
  assert.ok(p.receive(op.seq, { status: 200, etag, expires: 3600 }, now + 110));
  return p;
}

test('initial → 2xx: body, no SIP-If-Match, entity-tag recorded, refresh armed before expiry', () => {
  const p = new Publication(opts);
  p.set(pidf('idle'), 0);
  assert.equal(p.state, 'pending');
  assert.equal(p.poll(99), undefined, 'coalesce window not over');
  const op = p.poll(100)!;
  assert.deepEqual(op, { seq: 1, kind: 'initial', expires: 3600, body: pidf('idle') });
  p.receive(op.seq, { status: 200, etag: 'a1', expires: 1800 }, 200);
  assert.equal(p.state, 'published');
  assert.equal(p.etag, 'a1');
  assert.equal(p.expiresAt, 200 + 1800_000);
  assert.equal(p.deadline, 200 + 1800_000 - 30_000);
  assert.deepEqual(p.toRecord(), { etag: 'a1', expiresAt: 1_800_200, expires: 3600, body: pidf('idle') });
});

test('refresh: SIP-If-Match, no body; the new entity-tag replaces the old one', () => {
  const p = published();
  const op = p.poll(p.deadline!)!;
  assert.deepEqual({ kind: op.kind, ifMatch: op.ifMatch, body: op.body }, { kind: 'refresh', ifMatch: 'e1', body: undefined });
  p.receive(op.seq, { status: 200, etag: 'e2', expires: 3600 }, p.deadline ?? 0);
  assert.equal(p.etag, 'e2');
});

test('modify on change, rapid changes coalesced into one PUBLISH carrying the last state', () => {
  const p = published();
  p.set(pidf('busy'), 1000);
  p.set(pidf('ringing'), 1050);
  p.set(pidf('idle-again'), 1080);
  const op = p.poll(1100)!;
  assert.equal(op.kind, 'modify');
  assert.equal(op.ifMatch, 'e1');
  assert.deepEqual(op.body, pidf('idle-again'));
  assert.equal(p.poll(1100), undefined, 'one PUBLISH in flight');
});

test('a change while a PUBLISH is in flight is replayed after its answer', () => {
  const p = published();
  p.set(pidf('busy'), 1000);
  const op = p.poll(1100)!;
  p.set(pidf('idle'), 1150);
  assert.equal(p.state, 'sending');
  p.receive(op.seq, { status: 200, etag: 'e2', expires: 3600 }, 1200);
  assert.equal(p.state, 'pending');
  const next = p.poll(1300)!;
  assert.deepEqual({ kind: next.kind, ifMatch: next.ifMatch, body: next.body }, { kind: 'modify', ifMatch: 'e2', body: pidf('idle') });
});

test('setting the published state again is a no-op', () => {
  const p = published();
  p.set(pidf('idle'), 500);
  assert.equal(p.state, 'published');
});

test('remove: SIP-If-Match and Expires 0, then terminated; remove before any entity-tag sends nothing', () => {
  const p = published();
  p.remove(2000);
  const op = p.poll(2000)!;
  assert.deepEqual({ kind: op.kind, ifMatch: op.ifMatch, expires: op.expires, body: op.body }, { kind: 'remove', ifMatch: 'e1', expires: 0, body: undefined });
  p.receive(op.seq, { status: 200, etag: 'e9', expires: 0 }, 2010);
  assert.equal(p.state, 'terminated');
  assert.equal(p.toRecord(), undefined);

  const q = new Publication(opts);
  q.set(pidf('idle'), 0);
  q.remove(10);
  assert.equal(q.state, 'terminated');
  assert.equal(q.poll(1000), undefined);
});

test('remove while the initial is in flight waits for its entity-tag, then withdraws it', () => {
  const p = new Publication(opts);
  p.set(pidf('idle'), 0);
  const op = p.poll(100)!;
  p.remove(120);
  p.receive(op.seq, { status: 200, etag: 'x1', expires: 3600 }, 130);
  const rm = p.poll(130)!;
  assert.equal(rm.kind, 'remove');
  assert.equal(rm.ifMatch, 'x1');
});

test('412 → fresh initial PUBLISH with the current body (ESC restarted)', () => {
  const p = published();
  p.set(pidf('busy'), 1000);
  const op = p.poll(1100)!;
  p.receive(op.seq, { status: 412 }, 1110);
  assert.equal(p.etag, undefined);
  const init = p.poll(1110)!;
  assert.deepEqual({ kind: init.kind, ifMatch: init.ifMatch, body: init.body }, { kind: 'initial', ifMatch: undefined, body: pidf('busy') });
  p.receive(init.seq, { status: 200, etag: 'n1', expires: 3600 }, 1120);
  assert.equal(p.state, 'published');
});

test('412 to a remove ends the publication (nothing left on the ESC)', () => {
  const p = published();
  p.remove(1000);
  const op = p.poll(1000)!;
  p.receive(op.seq, { status: 412 }, 1001);
  assert.equal(p.state, 'terminated');
});

test('423 → retry at once with Min-Expires; a 423 that does not raise it is a failure', () => {
  const p = new Publication({ ...opts, expires: 30 });
  p.set(pidf('idle'), 0);
  const op = p.poll(100)!;
  p.receive(op.seq, { status: 423, minExpires: 120 }, 110);
  const again = p.poll(110)!;
  assert.equal(again.kind, 'initial');
  assert.equal(again.expires, 120);
  p.receive(again.seq, { status: 423, minExpires: 60 }, 120);
  assert.equal(p.state, 'backoff');
});

test('5xx / timeout → exponential backoff with cap; Retry-After honoured; success resets', () => {
  const p = new Publication(opts);
  p.set(pidf('idle'), 0);
  let now = 100;
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    const op = p.poll(now)!;
    assert.equal(op.kind, 'initial');
    if (i % 2 === 0) p.receive(op.seq, { status: 503 }, now);
    else p.timeout(op.seq, now);
    assert.equal(p.state, 'backoff');
    assert.equal(p.poll(p.deadline! - 1), undefined, 'no PUBLISH before the backoff deadline');
    delays.push(p.deadline! - now);
    now = p.deadline!;
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  const op = p.poll(now)!;
  p.receive(op.seq, { status: 503, retryAfter: 7 }, now);
  assert.equal(p.deadline! - now, 7000);
  const ok = p.poll(p.deadline!)!;
  p.receive(ok.seq, { status: 200, etag: 'z', expires: 3600 }, p.deadline ?? now);
  assert.equal(p.failures, 0);
});

test('a failed refresh after the entity-tag expired falls back to an initial', () => {
  const p = published(0);
  const refresh = p.poll(p.deadline!)!;
  p.receive(refresh.seq, { status: 500 }, p.deadline ?? 0);
  const retry = p.poll(3_600_200)!; // past expiresAt
  assert.equal(retry.kind, 'initial');
});

test('stale answers (older seq) are ignored', () => {
  const p = published();
  assert.equal(p.receive(1, { status: 200, etag: 'old' }, 5000), false);
  assert.equal(p.etag, 'e1');
});

test('2xx without SIP-ETag is a failure; 412 to an initial is a failure (no loop)', () => {
  const initial: PublishOperation = { seq: 1, kind: 'initial', expires: 60, body: pidf('x') };
  assert.equal(classifyAnswer(initial, { status: 200 }), 'failure');
  assert.equal(classifyAnswer(initial, { status: 412 }), 'failure');
  assert.equal(classifyAnswer({ ...initial, kind: 'modify', ifMatch: 'e' }, { status: 412 }), 'conditional-failed');
});

test('restore: a live record resumes with SIP-If-Match; an expired one starts with an initial', () => {
  const rec = { etag: 'r1', expiresAt: 100_000, expires: 3600, body: pidf('busy') };
  const p = Publication.restore(rec, opts, 10_000);
  assert.equal(p.state, 'published');
  p.set(pidf('idle'), 10_000);
  const op = p.poll(10_100)!;
  assert.deepEqual({ kind: op.kind, ifMatch: op.ifMatch }, { kind: 'modify', ifMatch: 'r1' });
  const q = Publication.restore(rec, opts, 200_000);
  assert.equal(q.poll(200_000)!.kind, 'initial');
});

test('the table throws on an illegal move (a bug, not a peer error)', () => {
  assert.throws(() => transitionPublication('idle', 'ok'), IllegalTransitionError);
  assert.ok(PUBLICATION_TABLE.sending.ok);
});

test('PublicationSet: 1,000 simultaneous changes never exceed the in-flight budget', () => {
  const set = new PublicationSet(50);
  for (let i = 0; i < 1000; i++) {
    const p = new Publication(opts);
    p.set(pidf(`u${i}`), 0);
    set.add(`u${i}`, p);
  }
  let now = 100;
  let sent = 0;
  for (let round = 0; round < 100 && sent < 1000; round++) {
    const { send } = set.due(now);
    assert.ok(set.inFlightCount <= 50);
    for (const { key, op } of send) set.settle(key, op.seq, { status: 200, etag: `t-${key}`, expires: 3600 }, now);
    sent += send.length;
    now += 1;
  }
  assert.equal(sent, 1000);
  assert.equal(set.nextDeadline(), 100 + 3_570_000);
});

test('PUBLISH request values: headers per operation, answers read back', () => {
  const at = { aor: 'sip:alice@acme.test', requestUri: 'sip:alice@127.0.0.1:5070', fromTag: 'ft', callId: 'cid', cseq: 4, event: 'presence' };
  const req = createPublishRequest({ seq: 1, kind: 'modify', ifMatch: 'e7', expires: 3600, body: pidf('busy') }, at);
  const text = serializeMessage(req).toString();
  assert.match(text, /^PUBLISH sip:alice@127\.0\.0\.1:5070 SIP\/2\.0\r\n/);
  for (const h of ['From: <sip:alice@acme.test>;tag=ft', 'To: <sip:alice@acme.test>', 'CSeq: 4 PUBLISH', 'Event: presence', 'Expires: 3600', 'SIP-If-Match: e7', 'Content-Type: application/pidf+xml']) {
    assert.ok(text.includes(`${h}\r\n`), h);
  }
  const rm = createPublishRequest({ seq: 2, kind: 'remove', ifMatch: 'e8', expires: 0 }, at);
  assert.equal(rm.body.length, 0);
  assert.equal(rm.headers.get('expires'), '0');
  const res = createResponseMessage({ status: 423, reason: 'Interval Too Brief', headers: [['Min-Expires', '600']] });
  assert.deepEqual(readPublishResponse(res), { status: 423, minExpires: 600 });
  const ok = createResponseMessage({ status: 200, reason: 'OK', headers: [['SIP-ETag', 'a.1'], ['Expires', '120']] });
  assert.deepEqual(readPublishResponse(ok), { status: 200, etag: 'a.1', expires: 120 });
  const busy = createResponseMessage({ status: 503, reason: 'Busy', headers: [['Retry-After', '5 (maintenance)']] });
  assert.deepEqual(readPublishResponse(busy), { status: 503, retryAfter: 5 });
});
