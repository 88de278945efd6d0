/**
 * The composition root end to end: `startGateway` on the sample dialplan with free ports answers SIP
 * on UDP, refuses to start on a broken dialplan (saying why), and shuts down cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startGateway } from '../../../src/app/gateway.js';
import { createLogger } from '../../../src/app/logger.js';

function memoryLogger() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { logger: createLogger({ level: 'info', json: true, stream }), lines };
}

const FREE_PORTS = { sipPort: 0, sipTlsPort: null, wsPort: 0, sccpPort: null, axlPort: 0, httpPort: null, bindHost: '127.0.0.1' } as const;

function sendOptions(port: number): Promise<string> {
  const socket = createSocket('udp4');
  const request = [
    `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-gateway-test-1;rport',
    'From: <sip:probe@127.0.0.1>;tag=t1',
    'To: <sip:127.0.0.1>',
    'Call-ID: gateway-test-options',
    'CSeq: 1 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '', '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { socket.close(); reject(new Error('no answer to OPTIONS')); }, 10_000);
    socket.once('message', (msg) => { clearTimeout(timer); socket.close(); resolve(String(msg)); });
    socket.send(request, port, '127.0.0.1');
  });
}

test('the gateway starts on the sample dialplan, answers OPTIONS and stops', async () => {
  const { logger, lines } = memoryLogger();
  const dbFile = join(mkdtempSync(join(tmpdir(), 'blfgw-gw-')), 'gw.db');
  const gw = await startGateway({ ...FREE_PORTS, dialplanDir: 'dialplans', dbFile }, logger);
  assert.ok(gw, 'gateway started');
  try {
    assert.ok(gw.ports.sip > 0 && gw.ports.tcp === gw.ports.sip, 'UDP and TCP share the SIP port');
    assert.ok(gw.ports.axl > 0, 'AXL listens');
    const answer = await sendOptions(gw.ports.sip);
    assert.match(answer, /^SIP\/2\.0 200 OK\r\n/);
    assert.match(answer, /\r\nAllow: [^\r]*SUBSCRIBE/i);
    const started = lines.map((l) => JSON.parse(l)).find((l) => l.message === 'blf-gateway started');
    assert.ok(started, 'the startup line is logged');
    assert.equal(started.ports.sip, gw.ports.sip, 'the startup line names every bound port');
  } finally {
    await gw.close();
  }
});

test('a broken dialplan stops the start with file:line errors in the log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'blfgw-broken-'));
  writeFileSync(join(dir, 'partitions.yaml'), 'partitions:\n  - name: A_PT\ncallingSearchSpaces:\n  - name: A_CSS\n    partitions: [Missing_PT]\n');
  const { logger, lines } = memoryLogger();
  const gw = await startGateway({ ...FREE_PORTS, dialplanDir: dir, dbFile: ':memory:' }, logger);
  assert.equal(gw, undefined);
  assert.ok(lines.some((l) => /partitions\.yaml:\d+:\d+/.test(l) && /Missing_PT/.test(l)), lines.join('\n'));
});
