/**
 * tshark interop: a real Skinny session (emulated phone ↔ SccpTcpServer on loopback) is captured
 * with dumpcap on `lo` (capture filter on our port) and decoded by tshark with
 * `-d tcp.port==PORT,skinny`. Every PDU must decode with the numeric `skinny.messageId` we sent, in
 * order per direction, and no frame may be malformed or carry an expert error (sccp-facts.md §8).
 * Skipped with a reason when tshark/dumpcap or capture rights are missing, unless REQUIRE_INTEROP=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallStateValue, MESSAGE_IDS, messageIdOf, SccpTcpServer, type SccpDeviceRecord } from '../../src/sccp/index.js';
import { SccpPhone } from '../../src/rigs/index.js';

function missingPeer(): string | undefined {
  for (const tool of ['tshark', 'dumpcap']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not installed`;
  }
  if (process.getuid?.() !== 0) return 'capturing on lo needs root';
  return undefined;
}

const reason = missingPeer();
const skip = reason && process.env['REQUIRE_INTEROP'] !== '1' ? `tshark interop skipped: ${reason}` : false;

const RECORD: SccpDeviceRecord = {
  lines: [{ dn: '1001', label: 'Alice' }],
  speedDials: [{ dn: '1009', label: 'Helpdesk' }],
  blfSpeedDials: [{ index: 1, label: 'Bob', targetDn: '1002' }],
  userName: 'alice',
};

function startCapture(port: number, file: string): Promise<() => Promise<void>> {
  const proc = spawn('dumpcap', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`dumpcap did not start: ${err}`)), 60_000);
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!started && /Capturing on/.test(err)) {
        started = true;
        clearTimeout(timer);
        // dumpcap reports before its capture loop is surely live on a loaded host: settle briefly
        setTimeout(() => resolve(() => new Promise<void>((done) => {
          proc.once('exit', () => done());
          proc.kill('SIGINT');
        })), 2_000);
      }
    });
    proc.once('exit', (code) => reject(new Error(`dumpcap exited ${code}: ${err}`)));
  });
}

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A session covering registration, BLF, an outgoing and an incoming call, unregistration. */
async function runSession(phone: SccpPhone, server: SccpTcpServer, name: string): Promise<void> {
  await phone.connect();
  await phone.register(60_000);
  phone.keepAlive();
  await phone.waitFor((v) => v.keepAliveAcks === 1, 30_000);
  server.setBlfStatus(name, 1, 'alerting');
  server.setBlfStatus(name, 1, 'inUse');
  phone.offHook();
  server.command(name, { kind: 'startTone', tone: 0x21, lineInstance: 1, callReference: 9 });
  server.command(name, { kind: 'showCallState', callState: CallStateValue.offHook, lineInstance: 1, callReference: 9 });
  server.command(name, { kind: 'displayPrompt', text: '\x80\x20', lineInstance: 1, callReference: 9 });
  await phone.waitFor((v) => v.callStates.get(1)?.callReference === 9, 30_000);
  phone.dial('1002');
  server.command(name, { kind: 'stopTone', lineInstance: 1, callReference: 9 });
  server.command(name, { kind: 'showDialedNumber', dialedNumber: '1002', lineInstance: 1, callReference: 9 });
  server.command(name, { kind: 'showCallInfo', callType: 2, callingParty: '1001', calledParty: '1002', lineInstance: 1, callReference: 9 });
  server.command(name, { kind: 'setSpeakerMode', on: false });
  server.command(name, { kind: 'clearPrompt', lineInstance: 1, callReference: 9 });
  await phone.waitFor((v) => v.tone === undefined && !v.speakerOn && v.prompt === '', 30_000);
  phone.hangUp();
  server.command(name, { kind: 'showRinging', lineInstance: 1, callReference: 10, callingParty: '1003', callingPartyName: 'Carol' });
  await phone.waitFor((v) => v.ringMode === 2, 30_000);
  phone.answer();
  phone.softKey(9);
  server.command(name, { kind: 'stopRinging', lineInstance: 1, callReference: 10 });
  await phone.waitFor((v) => v.ringMode === 1, 30_000);
  await phone.unregister(30_000);
}

for (const protocolVersion of [11, 15]) {
  test(`a captured Skinny session (protocol ${protocolVersion}) decodes in tshark with our ids and nothing malformed`, { skip, timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sccp-tshark-'));
    const file = join(dir, 'session.pcapng');
    const server = new SccpTcpServer({ host: '127.0.0.1', port: 0, session: { registerTimeoutMs: 120_000 } }, { lookup: () => RECORD });
    const name = `SEP0000000000${protocolVersion}`;
    const phone = new SccpPhone({
      host: '127.0.0.1', port: 0, deviceName: name, protocolVersion, deviceType: protocolVersion >= 15 ? 497 : 7,
      legacyBlfButtons: 1, keepAliveMs: 0, historyLimit: 10_000,
    });
    try {
      const { port } = await server.listen();
      (phone.options as { port: number }).port = port;
      const stop = await startCapture(port, file);
      try {
        await runSession(phone, server, name);
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        await stop();
      }
      assert.ok(existsSync(file));
      const decodeAs = ['-r', file, '-d', `tcp.port==${port},skinny`];
      const rows = tshark([...decodeAs, '-Y', 'skinny', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'skinny.messageId'])
        .trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
      const ids = (fromServer: boolean) =>
        rows.filter(([src]) => (Number(src) === port) === fromServer).flatMap(([, id]) => id!.split(',').map(Number));
      const expectedToCm = phone.sent.map(messageIdOf);
      const expectedToPhone = phone.history.map(messageIdOf);
      assert.deepEqual(ids(false), expectedToCm, 'station → CM ids in order');
      assert.deepEqual(ids(true), expectedToPhone, 'CM → station ids in order');
      assert.deepEqual(expectedToCm.slice(0, 2), [MESSAGE_IDS.RegisterReq, MESSAGE_IDS.CapabilitiesRes]);
      assert.deepEqual(expectedToPhone.slice(0, 2), [MESSAGE_IDS.RegisterAck, MESSAGE_IDS.CapabilitiesReq]);
      const blfId = protocolVersion >= 15 ? MESSAGE_IDS.FeatureStatRes : MESSAGE_IDS.SetLamp;
      assert.ok(expectedToPhone.includes(blfId));
      const bad = tshark([...decodeAs, '-Y', '_ws.malformed || _ws.expert.severity >= 0x00800000', '-T', 'fields', '-e', 'frame.number']);
      assert.equal(bad.trim(), '', `malformed / expert-error frames: ${bad}`);
    } finally {
      phone.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
