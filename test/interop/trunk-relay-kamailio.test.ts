/**
 * Issue 6: Kamailio (presence + presence_dialoginfo) as the remote cluster of the SUBSCRIBE relay.
 * A presentity's dialog state is PUBLISHed to Kamailio by our SIP stack (documents from
 * fixtures/dialog-info); a watcher on the gateway subscribes to `sip:bob@partner.test`, which the
 * SIP route pattern sends out the `partner` trunk to Kamailio; the watcher's NOTIFYs follow what
 * was published (ringing, then busy). Kamailio missing → skipped (REQUIRE_INTEROP=1 → fail).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SipStack, createRequest, generateCallId, generateTag, type SipResponse } from '../../src/sip/index.js';
import { startGateway } from '../../src/app/gateway.js';
import { createLogger } from '../../src/app/logger.js';
import { kamailioMissing, startKamailio } from '../support/kamailio.js';
import { startSipWatcher } from '../support/sip-watcher.js';

const missing = kamailioMissing();
const requireInterop = process.env.REQUIRE_INTEROP === '1';
const PRESENTITY = 'sip:bob@partner.test';

function document(file: string, version: number): string {
  return readFileSync(`fixtures/dialog-info/${file}`, 'utf8')
    .replace(/entity="[^"]*"/, `entity="${PRESENTITY}"`)
    .replace(/version="\d+"/, `version="${version}"`);
}

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 50) {
    if (waited > ms) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('SUBSCRIBE relay → Kamailio: the local watcher follows the state PUBLISHed at the remote server', {
  skip: !requireInterop && missing ? missing : false, timeout: 300_000,
}, async () => {
  assert.equal(missing, undefined, `REQUIRE_INTEROP=1 but ${missing}`);
  const kam = await startKamailio();
  const work = mkdtempSync(join(tmpdir(), 'blfgw-relay-kam-'));
  cpSync('dialplans', work, { recursive: true });
  writeFileSync(join(work, 'routing.yaml'), [
    'trunks:',
    '  - name: partner',
    `    destination: { host: 127.0.0.1, port: ${kam.port}, transport: udp }`,
    '    domain: partner.test',
    '    accessList: [127.0.0.1/32]',
    '    subscribeCss: Restricted_CSS',
    'sipRoutePatterns:',
    '  - { domain: partner.test, partition: Trunk_PT, trunk: partner }',
    '',
  ].join('\n'));
  const logs: string[] = [];
  const stream = new Writable({ write(c, _e, done) { logs.push(String(c)); if (logs.length > 2000) logs.shift(); done(); } });
  const gw = await startGateway({
    sipPort: 0, sipTlsPort: null, wsPort: null, sccpPort: null, axlPort: null, httpPort: null, bindHost: '127.0.0.1',
    dialplanDir: work, dbFile: ':memory:',
  }, createLogger({ level: 'info', json: true, stream }));
  const publisher = new SipStack();
  await publisher.listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
  const watcher = await startSipWatcher('127.0.0.1');
  const callId = generateCallId();
  const fromTag = generateTag();
  let cseq = 0;
  const publish = (body: string, etag?: string) => new Promise<SipResponse | undefined>((resolve) => {
    const req = createRequest({
      method: 'PUBLISH', uri: PRESENTITY,
      headers: [
        ['From', `<${PRESENTITY}>;tag=${fromTag}`], ['To', `<${PRESENTITY}>`], ['Call-ID', callId], ['CSeq', `${++cseq} PUBLISH`],
        ['Event', 'dialog'], ['Expires', '120'], ['Content-Type', 'application/dialog-info+xml'], ...(etag ? [['SIP-If-Match', etag] as [string, string]] : []),
      ],
      body,
    });
    publisher.sendRequest(req, {
      destination: { transport: 'udp', host: '127.0.0.1', port: kam.port },
      delegate: { onResponse: (r) => { if (r.status >= 200) resolve(r); }, onTimeout: () => resolve(undefined), onTransportError: () => resolve(undefined) },
    });
  });
  try {
    assert.ok(gw, `gateway started\n${logs.join('')}`);
    const first = await publish(document('ringing-pickup.xml', 1));
    assert.equal(first?.status, 200, kam.log().slice(-2000));
    const etag = first!.headers.get('sip-etag');
    assert.ok(etag, 'Kamailio issued an entity-tag');

    const sub = await watcher.subscribe({
      target: PRESENTITY, from: 'sip:1001@acme.test', host: '127.0.0.1', port: gw.ports.sip!,
      username: 'SEP000000001001', password: 'secret1001',
    });
    assert.equal(sub.status, 200, logs.slice(-30).join(''));
    const states = () => watcher.seen.filter((n) => n.callId === sub.callId).map((n) => n.state);
    await until('the watcher sees the published ringing dialog', () => states().includes('ringing'))
      .catch((err: Error) => assert.fail(`${err.message}: ${JSON.stringify(states())}\n${logs.slice(-30).join('')}\n${kam.log().slice(-2000)}`));

    const second = await publish(document('held.xml', 2), etag);
    assert.equal(second?.status, 200, kam.log().slice(-2000));
    await until('the watcher sees busy after the modify', () => states().at(-1) === 'busy')
      .catch((err: Error) => assert.fail(`${err.message}: ${JSON.stringify(states())}`));
    assert.equal(await sub.unsubscribe(), 200);
  } finally {
    await watcher.close();
    await publisher.close();
    await gw?.close();
    await kam.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
