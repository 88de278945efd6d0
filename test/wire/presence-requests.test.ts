/**
 * Data-driven wire runner over `fixtures/sip/requests/5NN-*.sip` + `.expect` (pjsip sendto style):
 * each canned SUBSCRIBE (SIPp placeholders filled in) goes to an in-process gateway on 127.0.0.1
 * over UDP; the response and any NOTIFY are checked against the `.expect` lines:
 *   status: N | reason: R | header: Name: value | header-present: Name | to-tag-bits: N
 *   notify: none | active | terminated | notify-header: Name: value | notify-body: substring
 * Digest is off here (the watcher is the From user's device); the digest path has its own test.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSocket, type Socket } from 'node:dgram';
import { createResponse, parseMessage, serializeMessage, isParseError, tagOf, type SipMessage } from '../../src/sip/index.js';
import { startPresenceGateway, type PresenceGateway } from './presence-gateway.js';
import { fillCannedRequest } from '../support/canned-request.js';

const DIR = 'fixtures/sip/requests';
const fixtures = readdirSync(DIR).filter((f) => /^5\d\d-.*\.sip$/.test(f)).sort();

let gw: PresenceGateway;
before(async () => {
  gw = await startPresenceGateway({ requireDigest: false }, { persistIntervalMs: null });
});
after(async () => {
  await gw.close();
});

function fill(text: string, local: number, remote: number, n: number): string {
  return fillCannedRequest(text, {
    localPort: local, remotePort: remote, branch: `z9hG4bK-wire-${n}-${Date.now()}`, callId: `wire-${n}-${Date.now()}@127.0.0.1`, callNumber: n,
  });
}

/**
 * Sends one request and collects what comes back (NOTIFYs answered 200) until the final response
 * (and a NOTIFY when one is expected) arrived, then `graceMs` more; bounded by 15 s.
 */
async function exchange(sock: Socket, bytes: string, port: number, wantsNotify: boolean, graceMs: number): Promise<SipMessage[]> {
  const got: SipMessage[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => { done = r; });
  const onMsg = (buf: Buffer): void => {
    const m = parseMessage(buf);
    if (isParseError(m)) return;
    got.push(m);
    if (m.kind === 'request' && m.method === 'NOTIFY') sock.send(serializeMessage(createResponse(m, 200, 'OK')), port, '127.0.0.1');
    const final = got.some((x) => x.kind === 'response' && x.status >= 200);
    const notified = got.some((x) => x.kind === 'request' && x.method === 'NOTIFY');
    if (final && (notified || !wantsNotify)) done();
  };
  sock.on('message', onMsg);
  sock.send(Buffer.from(bytes), port, '127.0.0.1');
  const deadline = setTimeout(done, 15_000);
  await finished;
  clearTimeout(deadline);
  await new Promise((r) => setTimeout(r, graceMs));
  sock.off('message', onMsg);
  return got;
}

function headerLine(m: SipMessage, line: string): void {
  const i = line.indexOf(':');
  const name = line.slice(0, i).trim();
  assert.equal(m.headers.get(name), line.slice(i + 1).trim(), `header ${name}`);
}

for (const [n, file] of fixtures.entries()) {
  const expectFile = join(DIR, file.replace(/\.sip$/, '.expect'));
  const expects = readFileSync(expectFile, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  test(`wire ${file}`, async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    try {
      const text = fill(readFileSync(join(DIR, file), 'latin1'), sock.address().port, gw.port, n);
      const wantsNotify = expects.some((l) => /^notify: (active|terminated)/.test(l));
      const msgs = await exchange(sock, text, gw.port, wantsNotify, 300);
      const res = msgs.find((m) => m.kind === 'response');
      const notifies = msgs.filter((m) => m.kind === 'request' && m.method === 'NOTIFY');
      assert.ok(res && res.kind === 'response', 'a response came back');
      for (const line of expects) {
        const [key, ...restParts] = line.split(':');
        const rest = restParts.join(':').trim();
        switch (key) {
          case 'status': assert.equal(res.status, Number(rest)); break;
          case 'reason': assert.equal(res.reason, rest); break;
          case 'header': headerLine(res, rest); break;
          case 'header-present': assert.ok(res.headers.has(rest), `${rest} present`); break;
          case 'to-tag-bits': assert.ok((tagOf(res.headers.get('to')) ?? '').length * 6 >= Number(rest), 'To-tag entropy'); break;
          case 'notify':
            if (rest === 'none') assert.equal(notifies.length, 0, 'no NOTIFY');
            else assert.ok(notifies[0]?.headers.get('subscription-state')?.startsWith(rest), `NOTIFY ${rest}`);
            break;
          case 'notify-header': headerLine(notifies[0]!, rest); break;
          case 'notify-body': assert.ok(notifies[0]!.body.toString('utf8').includes(rest), `body has ${rest}`); break;
          default: assert.fail(`unknown expect key ${key} in ${expectFile}`);
        }
      }
    } finally {
      sock.close();
    }
  });
}
