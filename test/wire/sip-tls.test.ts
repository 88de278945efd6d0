/**
 * SIP over TLS end to end on loopback (issue 3): a stack with a TLS listener on a generated
 * self-signed certificate answers OPTIONS and a REGISTER-style non-INVITE from our own stack (as a
 * client) and from a raw node:tls socket, each response on the connection the request came in on;
 * and the gateway (`startGateway` with sipTlsPort 0) answers OPTIONS over TLS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Writable } from 'node:stream';
import selfsigned from 'selfsigned';
import {
  SipStack, createRequest, generateCallId, generateTag, type ServerTransaction, type SipResponse,
} from '../../src/sip/index.js';
import { startGateway } from '../../src/app/gateway.js';
import { createLogger } from '../../src/app/logger.js';

const TIMERS = { T1: 50, T2: 400, T4: 500 };
const pems = selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { days: 2, keySize: 2048, algorithm: 'sha256' });
const TLS = { cert: pems.cert, key: pems.private };

/** Raw TLS: send one request whose Via names a port nobody listens on (9), read one response. */
function rawTlsRequest(port: number, method: string, n: number): Promise<string> {
  const text = [
    `${method} sip:gw@127.0.0.1:${port};transport=tls SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bK-tls-raw-${method}-${n}`,
    'Max-Forwards: 70',
    `From: <sip:probe@127.0.0.1>;tag=raw${n}`,
    `To: <sip:gw@127.0.0.1>`,
    `Call-ID: tls-raw-${n}@127.0.0.1`,
    `CSeq: ${n} ${method}`,
    ...(method === 'REGISTER' ? ['Contact: <sip:probe@127.0.0.1:9;transport=tls>', 'Expires: 60'] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write(text));
    let got = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no ${method} answer over TLS; got ${JSON.stringify(got)}`)); }, 10_000);
    socket.on('data', (d: Buffer) => {
      got += d.toString('utf8');
      const end = got.indexOf('\r\n\r\n');
      if (end >= 0) {
        clearTimeout(timer);
        socket.end();
        resolve(got.slice(0, end));
      }
    });
    socket.on('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

test('TLS: OPTIONS and REGISTER from our stack share one connection; raw TLS gets answers on its socket', async () => {
  const b = new SipStack({ timers: TIMERS });
  const seen: ServerTransaction[] = [];
  b.delegate = {
    onRequest: (tx) => {
      seen.push(tx);
      tx.reply(200, 'OK', { toTag: true });
    },
  };
  const lp = await b.listen({ transport: 'tls', host: '127.0.0.1', port: 0, tls: TLS });
  const a = new SipStack({ timers: TIMERS });
  await a.listen({ transport: 'tls', host: '127.0.0.1', port: 0, tls: TLS });
  try {
    const uri = `sip:gw@127.0.0.1:${lp.port};transport=tls`;
    const callId = generateCallId('client.test');
    const tag = generateTag();
    for (const [n, method] of [[1, 'OPTIONS'], [2, 'REGISTER']] as const) {
      const req = createRequest({
        method,
        uri,
        headers: [
          ['From', `<sip:probe@client.test>;tag=${tag}`],
          ['To', '<sip:probe@client.test>'],
          ['Call-ID', callId],
          ['CSeq', `${n} ${method}`],
          ['Contact', '<sip:probe@127.0.0.1;transport=tls>'],
          ['Content-Length', '0'],
        ],
      });
      const res = await new Promise<SipResponse | string>((resolve) =>
        a.sendRequest(req, {
          delegate: {
            onResponse: (r) => { if (r.status >= 200) resolve(r); },
            onTimeout: () => resolve('timeout'),
            onTransportError: (e) => resolve(e.reason),
          },
        }),
      );
      assert.ok(typeof res !== 'string', `${method}: ${String(res)}`);
      assert.equal(res.status, 200, method);
    }
    assert.deepEqual(seen.map((tx) => tx.request.method), ['OPTIONS', 'REGISTER']);
    assert.ok(seen.every((tx) => tx.flow.transport === 'tls'));
    assert.equal(seen[0]!.flow.connectionId, seen[1]!.flow.connectionId, 'both requests came on one TLS connection');
    assert.equal(a.transport.stats.connectionsOpened, 1, 'the client opened exactly one connection (no reconnect for responses)');
    assert.equal(b.transport.stats.connectionsOpened, 1, 'the server accepted exactly one and opened none');

    for (const [n, method] of [[3, 'OPTIONS'], [4, 'REGISTER']] as const) {
      const answer = await rawTlsRequest(lp.port, method, n);
      assert.match(answer, /^SIP\/2\.0 200 OK\r\n/, method);
      assert.match(answer, new RegExp(`\\r\\nCSeq: ${n} ${method}(\\r\\n|$)`, 'i'));
      assert.match(answer, new RegExp(`\\r\\nVia: SIP/2\\.0/TLS 127\\.0\\.0\\.1:9;branch=z9hG4bK-tls-raw-${method}-${n}(\\r\\n|$)`), 'Via echoed; sent-by port 9 was not used');
    }
    assert.equal(b.transport.stats.connectionsOpened, 3, 'each raw socket was answered on itself: no connection to port 9');
  } finally {
    await a.close();
    await b.close();
  }
});

test('TLS: the gateway with sipTlsPort 0 answers OPTIONS over TLS', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', json: true, stream: new Writable({ write(c, _e, done) { lines.push(String(c)); done(); } }) });
  const dbFile = join(mkdtempSync(join(tmpdir(), 'blfgw-tls-')), 'gw.db');
  const gw = await startGateway(
    { dialplanDir: 'dialplans', dbFile, bindHost: '127.0.0.1', sipPort: 0, sipTlsPort: 0, wsPort: null, sccpPort: null, axlPort: null, httpPort: null },
    logger,
  );
  assert.ok(gw, `gateway did not start: ${lines.join('\n')}`);
  try {
    assert.ok(gw.ports.tls > 0, `TLS port bound: ${JSON.stringify(gw.ports)}`);
    const answer = await rawTlsRequest(gw.ports.tls!, 'OPTIONS', 1);
    assert.match(answer, /^SIP\/2\.0 200 OK\r\n/);
    assert.match(answer, /\r\nAllow: [^\r]*SUBSCRIBE/i);
  } finally {
    await gw.close();
  }
});
