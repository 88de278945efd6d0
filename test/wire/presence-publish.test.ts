/**
 * Line-side PUBLISH of dialog-info (dialog-publisher.ts) on the wire: a device publishes the calls of
 * its own line, the line's BLF watchers are NOTIFYed, and RFC 3903's ETag rules hold. One UDP socket
 * plays the publishing phone and the watcher, so the order in which the gateway sent to them is the
 * order in which they arrive.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createSocket, type Socket } from 'node:dgram';
import { createResponse, isParseError, parseMessage, serializeMessage, type SipMessage, type SipRequest } from '../../src/sip/index.js';
import { startPresenceGateway, type PresenceGateway } from './presence-gateway.js';
import { fillCannedRequest } from '../support/canned-request.js';

let gw: PresenceGateway;
let sock: Socket;
/** everything the gateway sent to the socket, in arrival order */
const inbox: SipMessage[] = [];
let seq = 0;

before(async () => {
  gw = await startPresenceGateway({ requireDigest: false }, { persistIntervalMs: null });
  sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.on('message', (buf) => {
    const m = parseMessage(buf);
    if (isParseError(m)) return;
    inbox.push(m);
    if (m.kind === 'request' && m.method === 'NOTIFY') send(serializeMessage(createResponse(m, 200, 'OK')));
  });
  // what the registrar reports when the publishing phone registers (an unregistered line is `unknown`)
  gw.ctx.engine.submit({ type: 'registration', device: 'SEP000000002001', registered: true });
});
after(async () => {
  sock.close();
  await gw.close();
});

function send(text: string | Buffer): void {
  sock.send(typeof text === 'string' ? Buffer.from(text) : text, gw.port, '127.0.0.1');
}

function common(fromUser: string, to: string, method: string, callId = `pub-${++seq}@127.0.0.1`): string {
  return `Via: SIP/2.0/UDP 127.0.0.1:${sock.address().port};branch=z9hG4bK-pub-${++seq};rport\r\nMax-Forwards: 70\r\n`
    + `From: <sip:${fromUser}@acme.test>;tag=f${seq}\r\nTo: <${to}>\r\nCall-ID: ${callId}\r\nCSeq: 1 ${method}\r\n`;
}

/** Sends a request and waits (≤ 5 s) until `until` holds over what arrived after it; returns its final response. */
async function request(text: string, until: (after: SipMessage[]) => boolean = () => true): Promise<{ status: number; res: SipMessage; after: SipMessage[] }> {
  const from = inbox.length;
  const callId = /Call-ID: (\S+)/.exec(text)![1];
  send(text);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const got = inbox.slice(from);
    const res = got.find((m) => m.kind === 'response' && m.status >= 200 && m.headers.get('call-id') === callId);
    if (res && res.kind === 'response' && until(got)) return { status: res.status, res, after: got };
    if (Date.now() > deadline) throw new Error(`no answer to ${text.split('\r\n')[0]}; got ${got.map(startLine).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const startLine = (m: SipMessage): string => (m.kind === 'response' ? `${m.status} ${m.headers.get('cseq')}` : `${m.method} ${m.headers.get('call-id')}`);
const notifiesIn = (msgs: SipMessage[], callId: string): SipRequest[] =>
  msgs.filter((m): m is SipRequest => m.kind === 'request' && m.method === 'NOTIFY' && m.headers.get('call-id') === callId);

function dialogInfo(state: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:2001@acme.test">\n'
    + '  <dialog id="pub-d1" call-id="pub-call-1" local-tag="lt1" remote-tag="rt1" direction="recipient">\n'
    + `    <state>${state}</state>\n`
    + '    <local><identity>sip:2001@acme.test</identity></local>\n'
    + '    <remote><identity>sip:1002@acme.test</identity></remote>\n'
    + '  </dialog>\n</dialog-info>\n';
}

function publish(opts: { dn?: string; fromUser?: string; body?: string; ifMatch?: string; expires?: number; event?: string; type?: string }): string {
  const body = opts.body ?? '';
  const dn = opts.dn ?? '2001';
  return `PUBLISH sip:${dn}@acme.test SIP/2.0\r\n${common(opts.fromUser ?? 'SEP000000002001', `sip:${dn}@acme.test`, 'PUBLISH')}`
    + `Event: ${opts.event ?? 'dialog'}\r\n`
    + (opts.expires !== undefined ? `Expires: ${opts.expires}\r\n` : '')
    + (opts.ifMatch !== undefined ? `SIP-If-Match: ${opts.ifMatch}\r\n` : '')
    + (body ? `Content-Type: ${opts.type ?? 'application/dialog-info+xml'}\r\n` : '')
    + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The contractor's BLF speed dial to 2001 (fixture 501); resolves once the initial NOTIFY is in. */
async function watch2001(): Promise<string> {
  const callId = `watch-${++seq}@127.0.0.1`;
  const text = fillCannedRequest(readFileSync('fixtures/sip/requests/501-subscribe-blf-speed-dial-allowed.sip', 'latin1'), {
    localPort: sock.address().port, remotePort: gw.port, branch: `z9hG4bK-watch-${seq}`, callId, callNumber: seq,
  });
  const sub = await request(text, (got) => notifiesIn(got, callId).length === 1);
  assert.equal(sub.status, 200);
  return callId;
}

test('an initial PUBLISH is answered 200 with SIP-ETag and Expires before the watchers get the published state', async () => {
  const watcher = await watch2001();
  const pub = await request(publish({ body: dialogInfo('confirmed'), expires: 120 }), (got) => notifiesIn(got, watcher).length === 1);
  assert.equal(pub.status, 200);
  assert.match(pub.res.headers.get('sip-etag') ?? '', /^\S{8,}$/);
  assert.equal(pub.res.headers.get('expires'), '120');
  const notify = notifiesIn(pub.after, watcher)[0]!;
  assert.ok(pub.after.indexOf(pub.res) < pub.after.indexOf(notify), 'the publisher is answered first (Rule 4)');
  const body = notify.body.toString('utf8');
  assert.match(body, /call-id="pub-call-1"/);
  assert.match(body, /<state>confirmed<\/state>/);

  // refresh: If-Match without a body → a fresh ETag, no NOTIFY
  const etag = pub.res.headers.get('sip-etag')!;
  const refresh = await request(publish({ ifMatch: etag, expires: 120 }));
  assert.equal(refresh.status, 200);
  const etag2 = refresh.res.headers.get('sip-etag')!;
  assert.notEqual(etag2, etag);
  assert.equal((await request(publish({ ifMatch: etag, expires: 120 }))).status, 412, 'the replaced ETag is gone');

  // remove: If-Match + Expires 0 → 200, then the watcher sees the line idle again
  const removed = await request(publish({ ifMatch: etag2, expires: 0 }), (got) => notifiesIn(got, watcher).length === 1);
  assert.equal(removed.status, 200);
  const idle = notifiesIn(removed.after, watcher)[0]!;
  assert.ok(removed.after.indexOf(removed.res) < removed.after.indexOf(idle));
  assert.doesNotMatch(idle.body.toString('utf8'), /<state>confirmed<\/state>/);
});

const refusals: ReadonlyArray<readonly [string, Parameters<typeof publish>[0], number, string | undefined]> = [
  ['a device publishing a line it has no appearance of (Rule 1)', { dn: '2002', body: dialogInfo('early') }, 403, undefined],
  ['an ETag the gateway never issued', { ifMatch: 'no-such-etag', expires: 60 }, 412, undefined],
  ['an initial PUBLISH without a body', {}, 400, undefined],
  ['another event package', { event: 'presence', body: dialogInfo('early') }, 489, 'allow-events'],
  ['another body type', { body: dialogInfo('early'), type: 'application/pidf+xml' }, 415, 'accept'],
  ['an expiry below the minimum', { body: dialogInfo('early'), expires: 10 }, 423, 'min-expires'],
  ['a malformed dialog-info body', { body: '<dialog-info><dialog' }, 400, undefined],
];
for (const [name, opts, status, header] of refusals) {
  test(`PUBLISH refused: ${name} → ${status}`, async () => {
    const r = await request(publish(opts));
    assert.equal(r.status, status);
    if (header !== undefined) assert.ok(r.res.headers.has(header), `${header} present`);
  });
}
