/**
 * Interop (issue 5): a gateway started with `startGateway` on the sample dialplan (SIP and SCCP on
 * free ports); emulated Skinny phones (src/rigs) SEP00000000C007 (7975, protocol 17, BLF → 1001 as a
 * feature-status button) and SEP00000000C008 (7960, protocol 11, BLF → 1002 as a line-lamp button);
 * SIPp phones with the sample digest credentials.
 *   1. the SCCP phone calls the SIPp phone 1002: the INVITE carries the phone's SDP, ringback,
 *      connected, on-hook → BYE; the 7960's BLF key for 1002 follows alerting → in use → idle;
 *   2. SIPp 1002 calls the SCCP phone 1007, which answers; a SIPp watcher (SUBSCRIBE Event: dialog)
 *      on 1007 sees early → confirmed → terminated.
 * SIPp missing → skipped with a reason (REQUIRE_INTEROP=1 → fail).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { freePort } from '../support/free-port.js';
import { startGateway, type Gateway } from '../../src/app/gateway.js';
import { createLogger } from '../../src/app/logger.js';
import type { EngineInput } from '../../src/core/index.js';
import { CallStateValue, Tone } from '../../src/sccp/index.js';
import { SccpPhone } from '../../src/rigs/index.js';

const SIPP = spawnSync('sipp', ['-v'], { encoding: 'utf8' }).error === undefined;
const skip = SIPP ? false : 'sipp (Debian sip-tester) is not installed';
if (!SIPP && process.env.REQUIRE_INTEROP === '1') throw new Error('REQUIRE_INTEROP=1 but sipp is missing');

const FIX = 'fixtures/sipp';


function runSipp(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  const child = spawn('sipp', [...args, '-m', '1', '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, '-timeout_error', '-nd', '-nostdin'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5_000);
  return new Promise((resolve) => child.on('exit', (code) => {
    clearTimeout(killer);
    resolve({ code, output: output.slice(-3000) });
  }));
}

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SCCP phones and SIPp phones through one gateway', { skip, timeout: 600_000 }, () => {
  let gw: Gateway;
  const seen: EngineInput[] = [];
  let modern: SccpPhone;
  let legacy: SccpPhone;
  let gwAddr = '';
  const common = ['-i', '127.0.0.1', '-t', 'u1'];

  const states = (device: string) => seen.flatMap((i) => (i.type === 'call-event' && i.appearance.device === device
    ? [`${i.dialog.direction}:${i.dialog.state}${i.dialog.terminationEvent ? `/${i.dialog.terminationEvent}` : ''}`] : []));

  const register1002 = async (port: number) => {
    const r = await runSipp([gwAddr, '-sf', `${FIX}/uac-register-expect-200.xml`, '-s', '1002', '-au', 'SEP000000001002', '-ap', 'secret1002', '-auth_uri', 'acme.test', '-p', String(port), ...common]);
    assert.equal(r.code, 0, r.output);
  };

  before(async () => {
    const logger = createLogger({ level: 'warn', json: true });
    const started = await startGateway({
      dialplanDir: 'dialplans', dbFile: ':memory:', bindHost: '127.0.0.1', sipPort: 0, sipTlsPort: null, wsPort: null,
      sccpPort: 0, axlPort: null, httpPort: null, logLevel: 'warn',
    }, logger);
    assert.ok(started, 'gateway started');
    gw = started;
    assert.ok(gw.ports.sccp && gw.ports.sccp > 0, 'ports.sccp reported');
    const driver = gw.context.engine;
    const submit = driver.submit.bind(driver);
    driver.submit = (input) => {
      seen.push(input);
      return submit(input);
    };
    gwAddr = `127.0.0.1:${gw.ports.sip}`;
    modern = new SccpPhone({ host: '127.0.0.1', port: gw.ports.sccp!, deviceName: 'SEP00000000C007', deviceType: 437, protocolVersion: 17, rtpPort: 20000 });
    legacy = new SccpPhone({ host: '127.0.0.1', port: gw.ports.sccp!, deviceName: 'SEP00000000C008', deviceType: 7, protocolVersion: 11, legacyBlfButtons: 1, rtpPort: 20002 });
    for (const p of [modern, legacy]) {
      await p.connect();
      await p.register();
    }
  });

  after(async () => {
    modern?.close();
    legacy?.close();
    await gw?.close();
  });

  it('registers the SCCP phones; their BLF keys start unknown (1001/1002 not registered)', () => {
    assert.deepEqual(
      seen.filter((i) => i.type === 'registration').map((i) => i.type === 'registration' && `${i.device}:${i.registered}`),
      ['SEP00000000C007:true', 'SEP00000000C008:true'],
    );
    assert.equal(modern.view.blf.get(1), 'unknown');
    assert.equal(legacy.view.blf.get(2), 'unknown');
  });

  it('an SCCP phone calls a SIPp phone: SIP INVITE with the phone SDP, ringback, connected, on hook → BYE; the 7960 BLF follows', async () => {
    const port = await freePort();
    await register1002(port);
    await legacy.waitFor((v) => v.blf.get(2) === 'idle', 5_000);
    const callee = runSipp(['-sf', `${FIX}/uas-call-from-sccp-expect-bye.xml`, '-s', '1002', '-p', String(port), ...common]);
    await pause(500);
    const blf: string[] = [];
    const watchBlf = (async () => {
      for (const s of ['alerting', 'inUse', 'idle'] as const) {
        await legacy.waitFor((v) => v.blf.get(2) === s, 20_000);
        blf.push(s);
      }
    })();
    modern.offHook();
    await modern.waitFor((v) => v.tone === Tone.insideDialTone);
    modern.dial('1002');
    await modern.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.ringOut, 10_000);
    assert.equal(modern.view.tone, Tone.alertingTone, 'ringback');
    await modern.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.connected, 10_000);
    await pause(500);
    modern.hangUp();
    const done = await callee;
    assert.equal(done.code, 0, done.output);
    await watchBlf;
    assert.deepEqual(blf, ['alerting', 'inUse', 'idle']);
    await until('the SIP appearance terminated', () => states('SEP000000001002').some((s) => s.includes('terminated')));
    assert.deepEqual(states('SEP00000000C007'), ['initiator:trying', 'initiator:early', 'initiator:confirmed', 'initiator:terminated/local-bye']);
    assert.deepEqual(states('SEP000000001002'), ['recipient:early', 'recipient:confirmed', 'recipient:terminated/remote-bye']);
  });

  it('a SIPp phone calls the SCCP phone, which answers; a SIPp watcher on 1007 sees early → confirmed → terminated', async () => {
    const before = seen.length;
    const watcher = runSipp([gwAddr, '-sf', `${FIX}/uac-subscribe-dialog-expect-notify-early-confirmed-terminated.xml`, '-s', '1007',
      '-key', 'watcher', 'SEP000000001003', '-key', 'expires', '600', '-au', 'SEP000000001003', '-ap', 'secret1003', '-auth_uri', '1007@acme.test',
      '-p', String(await freePort()), ...common], 90_000);
    await until('the watcher subscribed', () => seen.slice(before).some((i) => i.type === 'subscribe'));
    await pause(1_000);
    const caller = runSipp([gwAddr, '-sf', `${FIX}/uac-call-expect-200-bye.xml`, '-s', '1007', '-key', 'caller', '1002',
      '-au', 'SEP000000001002', '-ap', 'secret1002', '-auth_uri', '1007@acme.test', '-p', String(await freePort()), ...common]);
    await modern.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.ringIn, 20_000);
    await pause(700);
    modern.answer();
    await modern.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.connected, 10_000);
    const called = await caller;
    assert.equal(called.code, 0, called.output);
    await modern.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook, 10_000);
    const watched = await watcher;
    assert.equal(watched.code, 0, watched.output);
    const sccp = seen.slice(before).flatMap((i) => (i.type === 'call-event' && i.appearance.device === 'SEP00000000C007'
      ? [`${i.dialog.direction}:${i.dialog.state}${i.dialog.terminationEvent ? `/${i.dialog.terminationEvent}` : ''}`] : []));
    assert.deepEqual(sccp, ['recipient:early', 'recipient:confirmed', 'recipient:terminated/remote-bye']);
  });
});
