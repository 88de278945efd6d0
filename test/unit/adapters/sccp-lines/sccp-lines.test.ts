/**
 * sccp-lines adapter on loopback (issue 5): a real SccpTcpServer with the adapter as delegate, the
 * pure engine, emulated Skinny phones (src/rigs), and — for SCCP↔SCCP calls — the B2BUA's
 * LocalEndpointCalls (no SIP leg involved, so no SIP stack).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildDirectory, createEngine, type CallEvent, type Device, type Effect, type EngineInput } from '../../../../src/core/index.js';
import { CallStateValue, createSystemClock, SccpTcpServer, Tone, type SessionConfig } from '../../../../src/sccp/index.js';
import { SccpLines, analyseDigits, lookupSccpDevice, sdpFor } from '../../../../src/adapters/sccp-lines/index.js';
import { LocalEndpointCalls, RegistrarBindings } from '../../../../src/adapters/b2bua/index.js';
import { SccpPhone } from '../../../../src/rigs/index.js';
import { sampleParts } from '../../core/sample-directory.js';

const QUIET = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function sccpDevices(d: Device): Device {
  if (d.name === 'SEP00000000C007') return { ...d, model: 'Cisco 7975', blfSpeedDials: [{ index: 2, label: 'Alice', target: { kind: 'dn', dn: '1001' }, pickup: false }] };
  if (d.name === 'SEP00000000C008') return { ...d, model: 'Cisco 7960', blfSpeedDials: [{ index: 2, label: 'Bob', target: { kind: 'dn', dn: '1002' }, pickup: false }] };
  return d;
}

function directory() {
  const parts = sampleParts({ interDigitTimeoutMs: 300 });
  return buildDirectory({ ...parts, devices: (parts.devices ?? []).map(sccpDevices) }, 1);
}

async function rig(session: Partial<Omit<SessionConfig, 'lookup'>> = {}) {
  const dir = directory();
  const engine = createEngine(dir);
  const inputs: EngineInput[] = [];
  const effects: Effect[] = [];
  let server: SccpTcpServer | undefined;
  const feed = (input: EngineInput): void => {
    inputs.push(input);
    for (const e of engine.handle(input, Date.now())) {
      effects.push(e);
      if (e.type === 'line-state-changed') lines.lineStateChanged(e);
    }
  };
  const lines: SccpLines = new SccpLines({
    directory: () => dir,
    submit: feed,
    command: (d, c) => server?.command(d, c) ?? false,
    setBlfStatus: (d, i, s) => server?.setBlfStatus(d, i, s) ?? false,
    clock: createSystemClock(),
    logger: QUIET,
  });
  server = new SccpTcpServer({ host: '127.0.0.1', port: 0, session }, lines.delegate());
  const calls = new LocalEndpointCalls({
    directory: () => dir, bindings: new RegistrarBindings(), stack: undefined as never, now: Date.now,
    submit: feed,
    contactFor: () => '', logger: QUIET,
  });
  calls.setPort(lines.port);
  lines.setPlaceCall((r, l) => calls.place(r, l));
  const { port } = await server.listen();
  const phones: SccpPhone[] = [];
  const phone = async (deviceName: string, protocolVersion: number, deviceType: number, register = true, extra = {}) => {
    const p = new SccpPhone({ host: '127.0.0.1', port, deviceName, protocolVersion, deviceType, legacyBlfButtons: protocolVersion < 15 ? 1 : 0, ...extra });
    phones.push(p);
    await p.connect();
    if (register) await p.register();
    return p;
  };
  const close = async () => {
    for (const p of phones) p.close();
    lines.close();
    await server!.close();
  };
  const events = (device: string) => inputs.flatMap((i) => (i.type === 'call-event' && i.appearance.device === device
    ? [`${i.dialog.direction}:${i.dialog.state}${i.dialog.terminationEvent ? `/${i.dialog.terminationEvent}` : ''}`] : []));
  return { dir, engine, inputs, effects, lines, server, phone, close, events, submit: feed };
}

async function until(what: string, cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sccp-lines: directory and digit analysis', () => {
  const dir = directory();
  it('looks devices up by name, protocol and device type', () => {
    assert.equal(lookupSccpDevice(dir, 'SEP00000000C007', 437)?.lines[0]?.dn, '1007');
    assert.deepEqual(lookupSccpDevice(dir, 'SEP00000000C007', 437)?.blfSpeedDials, [{ index: 2, label: 'Alice', targetDn: '1001' }]);
    assert.equal(lookupSccpDevice(dir, 'SEP00000000C007', 7), undefined, 'a 7975 does not register as a 7960');
    assert.equal(lookupSccpDevice(dir, 'SEP000000001001', 7), undefined, 'a SIP device does not register over Skinny');
    assert.equal(lookupSccpDevice(dir, 'SEPDEADBEEF0000', 7), undefined);
  });

  for (const [digits, verdict] of [
    ['1', 'partial'], ['100', 'partial'], ['1008', 'complete'], ['8', 'partial'], ['8123', 'complete'],
    ['9', 'invalid'], ['10089', 'invalid'], ['2001', 'complete'],
  ] as const) {
    it(`digits ${digits} on the 7975 → ${verdict}`, () => {
      assert.equal(analyseDigits(dir, dir.devices.get('SEP00000000C007')!, digits), verdict);
    });
  }

  it('builds SDP from the station IP, IpPort and capabilities', () => {
    const sdp = sdpFor({ deviceName: 'SEP1', deviceType: 7, protocolVersion: 11, stationIp: '10.0.0.7', rtpPort: 20000, capabilities: [4, 11], blfStyle: 'line-lamp' }, 1);
    assert.match(sdp, /^c=IN IP4 10\.0\.0\.7\r$/m);
    assert.match(sdp, /^m=audio 20000 RTP\/AVP 0 18\r$/m);
  });
});

describe('sccp-lines: registration, keepalive, BLF, calls (loopback)', () => {
  it('an unknown device gets RegisterReject and is never reported', async () => {
    const r = await rig();
    try {
      const p = await r.phone('SEPDEADBEEF0000', 11, 7, false);
      await assert.rejects(p.register(3_000), /registration failed/);
      assert.match(p.view.rejected ?? '', /Unknown device/);
      assert.deepEqual(r.inputs.filter((i) => i.type === 'registration'), []);
    } finally {
      await r.close();
    }
  });

  it('keepalive timeout unregisters the device and its line turns unknown', async () => {
    const r = await rig({ keepAliveIntervalS: 1, keepAliveMissFactor: 1 });
    try {
      await r.phone('SEP00000000C007', 17, 437, true, { keepAliveMs: 0 });
      assert.ok(r.effects.some((e) => e.type === 'line-state-changed' && e.dn === '1007' && e.new === 'idle'));
      await until('unregistration', () => r.inputs.some((i) => i.type === 'registration' && !i.registered), 4_000);
      assert.deepEqual(r.inputs.filter((i) => i.type === 'registration').map((i) => i.type === 'registration' && i.registered), [true, false]);
      const last = r.effects.filter((e) => e.type === 'line-state-changed' && e.dn === '1007').at(-1);
      assert.equal(last?.type === 'line-state-changed' && last.new, 'unknown');
    } finally {
      await r.close();
    }
  });

  it('BLF speed dials follow a SIP line: feature status (protocol 17) and lamps (protocol 11)', async () => {
    const r = await rig();
    try {
      const modern = await r.phone('SEP00000000C007', 17, 437);
      const legacy = await r.phone('SEP00000000C008', 11, 7);
      assert.equal(modern.view.blf.get(1), 'unknown');
      assert.equal(legacy.view.blf.get(2), 'unknown');
      r.submit({ type: 'registration', device: 'SEP000000001001', registered: true });
      r.submit({ type: 'registration', device: 'SEP000000001002', registered: true });
      await modern.waitFor((v) => v.blf.get(1) === 'idle');
      await legacy.waitFor((v) => v.blf.get(2) === 'idle');
      const ring = (state: 'early' | 'confirmed' | 'terminated'): CallEvent => ({
        type: 'call-event', appearance: { device: 'SEP000000001002', index: 1 },
        dialog: { id: 'd1', callId: 'c1', direction: 'recipient', state, local: { uri: 'sip:1002@acme.test' }, remote: { uri: 'sip:1001@acme.test' } },
      });
      r.submit(ring('early'));
      await legacy.waitFor((v) => v.blf.get(2) === 'alerting');
      r.submit(ring('confirmed'));
      await legacy.waitFor((v) => v.blf.get(2) === 'inUse');
      r.submit(ring('terminated'));
      await legacy.waitFor((v) => v.blf.get(2) === 'idle');
      r.submit({ type: 'registration', device: 'SEP000000001001', registered: false });
      await modern.waitFor((v) => v.blf.get(1) === 'unknown');
    } finally {
      await r.close();
    }
  });

  it('SCCP calls SCCP: off hook → digits → ring → answer → hang up, both appearances move', async () => {
    const r = await rig();
    try {
      const caller = await r.phone('SEP00000000C007', 17, 437);
      const callee = await r.phone('SEP00000000C008', 11, 7);
      caller.offHook();
      await caller.waitFor((v) => v.tone === Tone.insideDialTone);
      assert.deepEqual(r.events('SEP00000000C007'), ['initiator:trying']);
      caller.dial('1008');
      await callee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.ringIn);
      await caller.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.ringOut);
      callee.answer();
      await caller.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.connected);
      await callee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.connected);
      caller.hangUp();
      await callee.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook);
      assert.deepEqual(r.events('SEP00000000C007'), ['initiator:trying', 'initiator:early', 'initiator:confirmed', 'initiator:terminated/local-bye']);
      assert.deepEqual(r.events('SEP00000000C008'), ['recipient:early', 'recipient:confirmed', 'recipient:terminated/remote-bye']);
    } finally {
      await r.close();
    }
  });

  it('an incomplete number is dialled after the inter-digit timeout and fails with reorder', async () => {
    const r = await rig();
    try {
      const caller = await r.phone('SEP00000000C007', 17, 437);
      caller.offHook();
      await caller.waitFor((v) => v.tone === Tone.insideDialTone);
      caller.dial('100');
      const t0 = Date.now();
      await caller.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.congestion, 3_000);
      assert.ok(Date.now() - t0 >= 250, 'waited for the inter-digit timeout');
      assert.equal(caller.view.tone, Tone.reorderTone);
      assert.deepEqual(r.events('SEP00000000C007'), ['initiator:trying', 'initiator:terminated/rejected']);
      caller.hangUp();
      await caller.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.onHook);
    } finally {
      await r.close();
    }
  });

  it('a busy SCCP phone refuses a second call (486 → busy tone)', async () => {
    const r = await rig();
    try {
      const a = await r.phone('SEP00000000C007', 17, 437);
      const b = await r.phone('SEP00000000C008', 11, 7);
      b.offHook();
      await b.waitFor((v) => v.tone === Tone.insideDialTone);
      a.offHook();
      a.dial('1008');
      await a.waitFor((v) => v.callStates.get(1)?.callState === CallStateValue.busy);
      assert.equal(a.view.tone, Tone.lineBusyTone);
    } finally {
      await r.close();
    }
  });
});
