// Issue 6: PUBLISH trunk against a real IM server (Kamailio presence + presence_xml + presence_dialoginfo).
// The gateway (engine + PublishTrunk on our SIP stack) publishes; a SIPp watcher subscribed at Kamailio
// sees the user go on the phone and back; a Kamailio restart loses every entity-tag and the
// publications recover (412 → initial PUBLISH) with the current state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  buildDirectory, createEngine, STANDARD_PRESENCE_GROUP, type Directory, type EngineInput, type LineDialog,
} from '../../src/core/index.js';
import { SipStack } from '../../src/sip/index.js';
import { PublishTrunk } from '../../src/adapters/trunk/index.js';
import { openSqliteDatabase, SqliteRuntimeStore } from '../../src/adapters/sqlite-store/index.js';
import { freeUdpPort, kamailioMissing, startKamailio } from '../support/kamailio.js';

const ORIGIN = { kind: 'builtin' } as const;
const missing = kamailioMissing() ?? (spawnSync('sipp', ['-v']).error ? 'sipp not installed' : undefined);
const requireInterop = process.env.REQUIRE_INTEROP === '1';

function directoryFor(kamPort: number): Directory {
  return buildDirectory({
    params: { domain: 'acme.test', impPublishTrunk: 'imp', publishExpires: 8 },
    partitions: [{ name: 'Internal_PT', origin: ORIGIN }],
    callingSearchSpaces: [{ name: 'Internal_CSS', partitions: ['Internal_PT'], origin: ORIGIN }],
    presenceGroups: [{ name: STANDARD_PRESENCE_GROUP, permissions: new Map(), origin: ORIGIN }],
    users: [{ id: 'alice', presenceGroup: STANDARD_PRESENCE_GROUP, subscribeCss: 'Internal_CSS', devices: ['SEP000000001001'], origin: ORIGIN }],
    lines: [{ dn: '1001', partition: 'Internal_PT', presenceGroup: STANDARD_PRESENCE_GROUP, origin: ORIGIN }],
    devices: [{
      name: 'SEP000000001001', protocol: 'sip', model: 'Cisco 8845', subscribeCss: 'Internal_CSS', callingCss: 'Internal_CSS',
      presenceGroup: STANDARD_PRESENCE_GROUP, blfSpeedDials: [], singleDialogPerDocument: false, origin: ORIGIN,
      lines: [{ index: 1, dn: '1001', partition: 'Internal_PT', users: ['alice'], maxCalls: 2, busyTrigger: 1 }],
    }],
    routePatterns: [],
    sipRoutePatterns: [],
    trunks: [{
      name: 'imp', host: '127.0.0.1', port: kamPort, transport: 'udp', domain: 'acme.test', accessList: ['127.0.0.1/32'],
      subscribeCss: null, callingCss: null, presenceGroup: STANDARD_PRESENCE_GROUP, origin: ORIGIN,
    }],
  });
}

function call(state: LineDialog['state']): EngineInput {
  return {
    type: 'call-event',
    appearance: { device: 'SEP000000001001', index: 1 },
    dialog: {
      id: 'd1', callId: 'call-1@acme.test', direction: 'initiator', state,
      local: { uri: 'sip:1001@acme.test' }, remote: { uri: 'sip:1002@acme.test' },
    },
  };
}

/** Runs one SIPp watcher scenario against Kamailio; resolves with its exit code (bounded). */
async function runWatcher(scenario: string, kamPort: number, cwd: string): Promise<number | null> {
  const port = await freeUdpPort();
  const child = spawn('sipp', [
    `127.0.0.1:${kamPort}`, '-sf', resolve('fixtures/kamailio/sipp', scenario), '-s', 'alice', '-m', '1',
    '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-nostdin', '-timeout', '90s', '-timeout_error',
    '-trace_err', '-error_file', join(cwd, `${scenario}.errors.log`),
    '-trace_msg', '-message_file', join(cwd, `${scenario}.messages.log`),
  ], { cwd, stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  if (code !== 0 && existsSync(join(cwd, `${scenario}.errors.log`))) {
    process.stderr.write(readFileSync(join(cwd, `${scenario}.errors.log`), 'utf8').slice(-4000));
  }
  if (code !== 0 && existsSync(join(cwd, `${scenario}.messages.log`))) {
    process.stderr.write(readFileSync(join(cwd, `${scenario}.messages.log`), 'utf8').slice(-6000));
  }
  return code;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('PUBLISH trunk → Kamailio: watcher sees on the phone and back; restart recovers via 412', { skip: !requireInterop && missing ? missing : false, timeout: 600_000 }, async () => {
  assert.equal(missing, undefined, `REQUIRE_INTEROP=1 but ${missing}`);
  const kam = await startKamailio();
  const work = mkdtempSync(join(tmpdir(), 'blfgw-trunk-pub-'));
  const stack = new SipStack();
  await stack.listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
  const db = openSqliteDatabase(':memory:');
  const store = new SqliteRuntimeStore(db);
  const dir = directoryFor(kam.port);
  const engine = createEngine(dir);
  const trunk = new PublishTrunk({ stack, directory: () => dir, store, publication: { coalesceMs: 50, refreshMarginMs: 3000 } });
  const submit = (input: EngineInput): void => {
    for (const e of engine.handle(input, Date.now())) {
      if (e.type === 'publish') trunk.onPublish(e);
      if (e.type === 'line-state-changed') trunk.onLineStateChanged(e);
    }
  };
  try {
    trunk.start();
    submit({ type: 'registration', device: 'SEP000000001001', registered: true });
    assert.ok(await trunk.whenIdle(20_000), 'initial publications settle');
    assert.ok((trunk.stats.byStatus[200] ?? 0) >= 2, `initial PUBLISHes accepted: ${JSON.stringify(trunk.stats)}\n${kam.log().slice(-3000)}`);
    assert.equal(store.loadPublications().length, 2, 'presence + dialog entity-tags persisted');

    // SIPp's start-up time is unknown on a loaded machine: toggle the call until the watcher has seen
    // "On the phone" followed by "Available" (bounded: 20 cycles)
    let exited: number | null | undefined;
    const watcher = runWatcher('uac-subscribe-presence-expect-on-the-phone-and-back.xml', kam.port, work).then((c) => (exited = c));
    for (let i = 0; i < 20 && exited === undefined; i++) {
      submit(call('confirmed'));
      await sleep(2000);
      submit(call('terminated'));
      await sleep(2000);
    }
    assert.equal(await watcher, 0, `SIPp watcher saw on the phone → available\n${kam.log().slice(-1500)}`);

    submit(call('confirmed'));
    assert.ok(await trunk.whenIdle(20_000));
    await kam.restart();
    for (let i = 0; i < 60 && (trunk.stats.byStatus[412] ?? 0) < 2; i++) await sleep(500);
    assert.ok((trunk.stats.byStatus[412] ?? 0) >= 2, `refresh after restart got 412: ${JSON.stringify(trunk.stats)}`);
    assert.ok(await trunk.whenIdle(20_000));
    assert.equal(await runWatcher('uac-subscribe-presence-expect-on-the-phone.xml', kam.port, work), 0, 'state recovered after restart');

    await trunk.close(5000);
    assert.equal(trunk.size, 0, 'every publication removed at shutdown');
    assert.equal(store.loadPublications().length, 0, 'no entity-tag left in the store');
  } finally {
    await trunk.close(100);
    await stack.close();
    db.close();
    await kam.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
