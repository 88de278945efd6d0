/**
 * Issue 6: a call to a route-pattern target goes out the trunk (no more 503). A SIPp phone registered
 * as 1001 calls 8002; the route pattern 8XXX sends it out the `cluster-b` trunk, whose destination
 * is a SIPp UAS that rings, answers and expects the caller's BYE through the B2BUA. The caller's
 * line appearance shows the call (initiator trying → early → confirmed → terminated).
 * SIPp missing → skipped (REQUIRE_INTEROP=1 → fail).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../../src/app/gateway.js';
import type { EngineInput } from '../../src/core/index.js';
import { SIPP_FIXTURES as FIX, freePort, quietLogger, routing, runSipp, until, writeDialplan } from '../support/trunk-cluster.js';

const missing = spawnSync('sipp', ['-v']).error ? 'sipp not installed' : undefined;
const requireInterop = process.env.REQUIRE_INTEROP === '1';

test('a call to a route pattern is relayed out the trunk as a B2BUA leg', {
  skip: !requireInterop && missing ? missing : false, timeout: 240_000,
}, async () => {
  assert.equal(missing, undefined, `REQUIRE_INTEROP=1 but ${missing}`);
  const work = mkdtempSync(join(tmpdir(), 'blfgw-trunk-call-'));
  const logs: string[] = [];
  const peerPort = await freePort('127.0.0.1');
  writeDialplan(work, routing('cluster-b', '127.0.0.1', peerPort, '127.0.0.9', '8XXX'), false);
  const gw = await startGateway({
    sipPort: 0, sipTlsPort: null, wsPort: null, sccpPort: null, axlPort: null, httpPort: null, bindHost: '127.0.0.2',
    dialplanDir: work, dbFile: ':memory:',
  }, quietLogger(logs));
  try {
    assert.ok(gw, `gateway started\n${logs.join('')}`);
    const seen: EngineInput[] = [];
    const driver = gw.context.engine;
    const submit = driver.submit.bind(driver);
    driver.submit = (input) => {
      seen.push(input);
      return submit(input);
    };
    const gwAddr = `127.0.0.2:${gw.ports.sip}`;
    const callerPort = await freePort('127.0.0.1');
    const common = ['-i', '127.0.0.1', '-t', 'u1'];
    const reg = await runSipp([gwAddr, '-sf', `${FIX}/uac-register-expect-200.xml`, '-s', '1001', '-au', 'SEP000000001001', '-ap', 'secret1001', '-auth_uri', 'acme.test', '-p', String(callerPort), ...common]);
    assert.equal(reg.code, 0, reg.output);
    const peer = runSipp(['-sf', `${FIX}/uas-call-ring-2s-answer-expect-bye.xml`, '-s', '8002', '-p', String(peerPort), ...common]);
    await new Promise((r) => setTimeout(r, 500));
    const caller = await runSipp([gwAddr, '-sf', `${FIX}/uac-call-expect-200-bye.xml`, '-s', '8002', '-key', 'caller', '1001', '-au', 'SEP000000001001',
      '-ap', 'secret1001', '-auth_uri', '8002@acme.test', '-p', String(callerPort), ...common]);
    const peerDone = await peer;
    assert.equal(caller.code, 0, `${caller.output}\n${logs.slice(-20).join('')}`);
    assert.equal(peerDone.code, 0, peerDone.output);
    const states = () => seen.flatMap((i) => (i.type === 'call-event' && i.appearance.device === 'SEP000000001001' ? [`${i.dialog.direction}:${i.dialog.state}`] : []));
    await until('the caller appearance is back to idle', () => states().includes('initiator:terminated'));
    assert.deepEqual(states(), ['initiator:trying', 'initiator:early', 'initiator:confirmed', 'initiator:terminated']);
    assert.deepEqual(seen.filter((i) => i.type === 'call-event' && i.appearance.device === ''), [], 'no CallEvent for the trunk side');
  } finally {
    await gw?.close();
    rmSync(work, { recursive: true, force: true });
  }
});
