/**
 * PUBLISH trunk bench (issue 6): 1,000 users change state at once and the gateway PUBLISHes them to
 * Kamailio (presence + presence_xml + presence_dialoginfo, test/support/kamailio.ts). Peer: SIPp
 * PUBLISHing the same 1,000 users' PIDF documents (the gateway's own renderer) to the same Kamailio,
 * with the same concurrency (64 in flight). Only 2xx answers count.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildDirectory, createEngine, STANDARD_PRESENCE_GROUP, type Directory, type EngineInput,
} from '../src/core/index.js';
import { SipStack } from '../src/sip/index.js';
import { PublishTrunk, renderUserPidf } from '../src/adapters/trunk/index.js';
import { startKamailio } from '../test/support/kamailio.js';
import type { BenchRow } from './bench-row.js';

const USERS = 1000;
const IN_FLIGHT = 64;
const ORIGIN = { kind: 'builtin' } as const;
const dn = (i: number) => String(100000 + i);

function directoryFor(kamPort: number): Directory {
  const users = [...Array(USERS).keys()];
  return buildDirectory({
    params: { domain: 'acme.test', impPublishTrunk: 'imp', publishExpires: 3600 },
    partitions: [{ name: 'Internal_PT', origin: ORIGIN }],
    callingSearchSpaces: [{ name: 'Internal_CSS', partitions: ['Internal_PT'], origin: ORIGIN }],
    presenceGroups: [{ name: STANDARD_PRESENCE_GROUP, permissions: new Map(), origin: ORIGIN }],
    users: users.map((i) => ({ id: `u${dn(i)}`, presenceGroup: STANDARD_PRESENCE_GROUP, subscribeCss: 'Internal_CSS', devices: [`SEP${dn(i)}`], origin: ORIGIN })),
    lines: users.map((i) => ({ dn: dn(i), partition: 'Internal_PT', presenceGroup: STANDARD_PRESENCE_GROUP, origin: ORIGIN })),
    devices: users.map((i) => ({
      name: `SEP${dn(i)}`, protocol: 'sip' as const, model: 'Cisco 8845', subscribeCss: 'Internal_CSS', callingCss: 'Internal_CSS',
      presenceGroup: STANDARD_PRESENCE_GROUP, blfSpeedDials: [], singleDialogPerDocument: false, origin: ORIGIN,
      lines: [{ index: 1, dn: dn(i), partition: 'Internal_PT', users: [`u${dn(i)}`], maxCalls: 2, busyTrigger: 1 }],
    })),
    routePatterns: [],
    sipRoutePatterns: [],
    trunks: [{
      name: 'imp', host: '127.0.0.1', port: kamPort, transport: 'udp', domain: 'acme.test', accessList: [],
      subscribeCss: null, callingCss: null, presenceGroup: STANDARD_PRESENCE_GROUP, origin: ORIGIN,
    }],
  });
}

/** Ours: every user goes on the phone in one burst; PUBLISH/s until the trunk is idle again. */
async function runOurs(kamPort: number): Promise<{ rate: number; ok: number; sent: number }> {
  const stack = new SipStack();
  await stack.listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
  const dir = directoryFor(kamPort);
  const engine = createEngine(dir);
  const trunk = new PublishTrunk({ stack, directory: () => dir, maxInFlight: IN_FLIGHT, publication: { coalesceMs: 0 } });
  const submit = (input: EngineInput): void => {
    for (const e of engine.handle(input, Date.now())) {
      if (e.type === 'publish') trunk.onPublish(e);
      if (e.type === 'line-state-changed') trunk.onLineStateChanged(e);
    }
  };
  try {
    trunk.start();
    for (let i = 0; i < USERS; i++) submit({ type: 'registration', device: `SEP${dn(i)}`, registered: true });
    await trunk.whenIdle(120_000);
    const sent0 = trunk.stats.sent;
    const ok0 = trunk.stats.byStatus[200] ?? 0;
    const t0 = performance.now();
    for (let i = 0; i < USERS; i++) {
      submit({
        type: 'call-event', appearance: { device: `SEP${dn(i)}`, index: 1 },
        dialog: { id: `d${i}`, callId: `c${i}@acme.test`, direction: 'initiator', state: 'confirmed', local: { uri: `sip:${dn(i)}@acme.test` }, remote: { uri: 'sip:9999@acme.test' } },
      });
    }
    await trunk.whenIdle(120_000);
    const seconds = (performance.now() - t0) / 1000;
    const ok = (trunk.stats.byStatus[200] ?? 0) - ok0;
    return { rate: ok / seconds, ok, sent: trunk.stats.sent - sent0 };
  } finally {
    await trunk.close(100);
    await stack.close();
  }
}

const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="publish-pidf">
  <send retrans="500">
    <![CDATA[
      PUBLISH sip:[field0]@acme.test SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@acme.test>;tag=[call_number]
      To: <sip:[field0]@acme.test>
      Call-ID: [call_id]
      CSeq: 1 PUBLISH
      Max-Forwards: 70
      Event: presence
      Expires: 3600
      Content-Type: application/pidf+xml
      Content-Length: [len]

[field1]
    ]]>
  </send>
  <recv response="200"/>
</scenario>
`;

/** Peer: SIPp PUBLISHes the same users' PIDF documents (one line each in the injection file). */
async function runSipp(kamPort: number): Promise<{ rate: number; ok: number } | null> {
  const work = mkdtempSync(join(tmpdir(), 'blfgw-publish-bench-'));
  try {
    const rows = [...Array(USERS).keys()].map((i) => {
      const user = `u${dn(i)}`;
      const doc = renderUserPidf(`sip:${user}@acme.test`, user, 'on-the-phone').replace(/\r?\n\s*/g, '');
      return `${user};${doc}`;
    });
    writeFileSync(join(work, 'users.csv'), `SEQUENTIAL\n${rows.join('\n')}\n`);
    writeFileSync(join(work, 'publish.xml'), SCENARIO);
    const t0 = performance.now();
    const child = spawn('sipp', [
      `127.0.0.1:${kamPort}`, '-sf', join(work, 'publish.xml'), '-inf', join(work, 'users.csv'), '-m', String(USERS),
      '-l', String(IN_FLIGHT), '-r', '100000', '-i', '127.0.0.1', '-t', 'u1', '-nostdin', '-timeout', '120s',
      '-trace_stat', '-stf', join(work, 'stat.csv'),
    ], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-8000); });
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    const seconds = (performance.now() - t0) / 1000;
    const ok = Number(/Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(out)?.[1] ?? (code === 0 ? USERS : 0));
    return { rate: ok / seconds, ok };
  } catch (err) {
    console.error('publish bench: SIPp peer failed', err);
    return null;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function runPublishBench(): Promise<BenchRow[]> {
  const kam = await startKamailio();
  try {
    const ours = await runOurs(kam.port);
    await kam.restart();
    const peer = await runSipp(kam.port);
    console.error(`publish bench: ours ${ours.ok}/${ours.sent} PUBLISH 200 OK at ${ours.rate.toFixed(0)}/s; SIPp ${peer?.ok ?? 'n/a'} at ${peer?.rate.toFixed(0) ?? 'n/a'}/s`);
    return [{
      name: `PUBLISH to Kamailio, ${USERS} users change state at once (2xx/s)`,
      ours: Math.round(ours.rate),
      peer: peer === null ? null : Math.round(peer.rate),
      peerName: 'SIPp PUBLISH (same PIDF documents)',
      unit: 'PUBLISH/s',
      better: 'higher',
    }];
  } finally {
    await kam.stop();
  }
}
