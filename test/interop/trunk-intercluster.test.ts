/**
 * Issue 6 intercluster: two gateways peered with trunks both ways (A on 127.0.0.2 owns DNs 1XXX and
 * routes 8XXX to B; B on 127.0.0.3 owns DNs 8XXX and routes 1XXX to A; each admits only the other in
 * its access list). Watchers on A (our SIP stack) watch 8002 on B: both share ONE upstream
 * subscription; SIPp phones registered to B call 8001 → 8002 and the watchers see it ring, go busy
 * and go idle. B decides trunk SUBSCRIBEs with the trunk's CSS (404 for an unknown DN) and refuses
 * a source in no access list (403). SIPp missing → skipped (REQUIRE_INTEROP=1 → fail).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type Gateway } from '../../src/app/gateway.js';
import type { Engine } from '../../src/core/index.js';
import { startSipWatcher, type SeenNotify } from '../support/sip-watcher.js';
import { SIPP_FIXTURES as FIX, freePort, quietLogger, routing, runSipp, until, writeDialplan } from '../support/trunk-cluster.js';

const missing = spawnSync('sipp', ['-v']).error ? 'sipp not installed' : undefined;
const requireInterop = process.env.REQUIRE_INTEROP === '1';
const A_HOST = '127.0.0.2';
const B_HOST = '127.0.0.3';

const statesOf = (seen: SeenNotify[], callId: string) => seen.filter((n) => n.callId === callId).map((n) => n.state);
const engineOf = (gw: Gateway) => gw.context.engine.engine as unknown as Engine;

test('intercluster: watchers on A see a line on B ring, go busy and go idle through one shared upstream subscription', {
  skip: !requireInterop && missing ? missing : false, timeout: 300_000,
}, async () => {
  assert.equal(missing, undefined, `REQUIRE_INTEROP=1 but ${missing}`);
  const work = mkdtempSync(join(tmpdir(), 'blfgw-intercluster-'));
  const logs: string[] = [];
  const ports = { sipTlsPort: null, wsPort: null, sccpPort: null, axlPort: null, httpPort: null, dbFile: ':memory:' } as const;
  const aPort = await freePort(A_HOST);
  writeDialplan(join(work, 'b'), routing('cluster-a', A_HOST, aPort, A_HOST, '1XXX'), true);
  const b = await startGateway({ ...ports, sipPort: 0, bindHost: B_HOST, dialplanDir: join(work, 'b') }, quietLogger(logs));
  assert.ok(b, `B started\n${logs.join('')}`);
  writeDialplan(join(work, 'a'), routing('cluster-b', B_HOST, b.ports.sip!, B_HOST, '8XXX'), false);
  const a = await startGateway({ ...ports, sipPort: aPort, bindHost: A_HOST, dialplanDir: join(work, 'a') }, quietLogger(logs));
  const watcher = await startSipWatcher('127.0.0.1');
  const trunkSide = await startSipWatcher(A_HOST);
  try {
    assert.ok(a, `A started\n${logs.join('')}`);
    const sub = (from: string, user: string, pw: string) => watcher.subscribe({
      target: 'sip:8002@acme.test', from, host: A_HOST, port: a.ports.sip!, username: user, password: pw,
    });
    const w1 = await sub('sip:1001@acme.test', 'SEP000000001001', 'secret1001');
    const w2 = await sub('sip:1002@acme.test', 'SEP000000001002', 'secret1002');
    assert.equal(w1.status, 200, logs.slice(-20).join(''));
    assert.equal(w2.status, 200);
    const trunkWatchersOnB = () => engineOf(b).exportSubscriptions().filter((r) => r.watcher.kind === 'trunk');
    await until('B serves the trunk subscription', () => trunkWatchersOnB().length === 1);
    await until('both watchers got their first NOTIFY', () => statesOf(watcher.seen, w1.callId).length > 0 && statesOf(watcher.seen, w2.callId).length > 0);
    assert.equal(trunkWatchersOnB().length, 1, 'ONE upstream subscription for two local watchers');

    // B decides trunk SUBSCRIBEs with the trunk's CSS; a stranger is refused
    const unknownDn = await trunkSide.subscribe({ target: 'sip:8999@acme.test', from: 'sip:blfgw@acme.test', host: B_HOST, port: b.ports.sip! });
    assert.equal(unknownDn.status, 404, 'unknown target from a trunk → 404');
    const stranger = await watcher.subscribe({ target: 'sip:8002@acme.test', from: 'sip:nobody@elsewhere.test', host: B_HOST, port: b.ports.sip! });
    assert.equal(stranger.status, 403, 'no device, no access list → 403');

    // SIPp phones registered to B: 8001 calls 8002, which rings 2 s, answers, and is hung up 500 ms later (the scenario's fixed talk time)
    const gwB = `${B_HOST}:${b.ports.sip}`;
    const calleePort = await freePort('127.0.0.1');
    const callerPort = await freePort('127.0.0.1');
    const common = ['-i', '127.0.0.1', '-t', 'u1'];
    for (const [dn, dev, pw, port] of [['8002', 'SEP000000001002', 'secret1002', calleePort], ['8001', 'SEP000000001001', 'secret1001', callerPort]] as const) {
      const reg = await runSipp([gwB, '-sf', `${FIX}/uac-register-expect-200.xml`, '-s', dn, '-au', dev, '-ap', pw, '-auth_uri', 'acme.test', '-p', String(port), ...common]);
      assert.equal(reg.code, 0, reg.output);
    }
    const callee = runSipp(['-sf', `${FIX}/uas-call-ring-2s-answer-expect-bye.xml`, '-s', '8002', '-p', String(calleePort), ...common]);
    await new Promise((r) => setTimeout(r, 500));
    const caller = await runSipp([gwB, '-sf', `${FIX}/uac-call-expect-200-bye.xml`, '-s', '8002', '-key', 'caller', '8001', '-au', 'SEP000000001001',
      '-ap', 'secret1001', '-auth_uri', '8002@acme.test', '-p', String(callerPort), ...common]);
    const calleeDone = await callee;
    assert.equal(caller.code, 0, caller.output);
    assert.equal(calleeDone.code, 0, calleeDone.output);
    for (const w of [w1, w2]) {
      await until('ringing → busy → idle on A', () => {
        const s = statesOf(watcher.seen, w.callId);
        const ring = s.indexOf('ringing');
        const busy = s.indexOf('busy', ring + 1);
        return ring >= 0 && busy > ring && s.indexOf('idle', busy + 1) > busy;
      });
    }

    // the last local watcher leaving ends the upstream subscription (SUBSCRIBE Expires: 0)
    assert.equal(await w1.unsubscribe(), 200);
    assert.equal(trunkWatchersOnB().length, 1, 'one watcher left: upstream kept');
    assert.equal(await w2.unsubscribe(), 200);
    await until('B drops the trunk subscription', () => trunkWatchersOnB().length === 0);
  } finally {
    await watcher.close();
    await trunkSide.close();
    await a?.close();
    await b.close();
    rmSync(work, { recursive: true, force: true });
  }
});
