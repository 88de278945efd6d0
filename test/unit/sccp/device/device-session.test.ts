/**
 * Device session FSM: transitions driven with real decoded messages and explicit `now`
 * (style.md §10: no mocks of our own message types).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildFlat,
  createDeviceSession,
  decodeFrame,
  encode,
  remoteError,
  sessionConfig,
  stepDeviceSession,
  SccpStateError,
  type DeviceSessionState,
  type SccpDeviceRecord,
  type SccpMessage,
  type SessionEffect,
  type SessionInput,
} from '../../../../src/sccp/index.js';

const RECORD: SccpDeviceRecord = {
  lines: [{ dn: '1001', label: 'Alice' }],
  speedDials: [{ dn: '1009', label: 'Helpdesk' }],
  blfSpeedDials: [
    { index: 2, label: 'Carol', targetDn: '1003' },
    { index: 1, label: 'Bob', targetDn: '1002' },
  ],
  userName: 'alice',
};
const config = sessionConfig((name) => (name === 'SEP000000000001' ? RECORD : undefined), {
  keepAliveIntervalS: 10,
  maxPreRegisterMessages: 5,
  maxBadFrames: 3,
});

/** Feeds a message through the real codec, as the server does. */
function frame(msg: SccpMessage): SessionInput {
  const r = decodeFrame(encode(msg));
  assert.ok(r.ok);
  return { kind: 'frame', frame: r.frame };
}

function run(state: DeviceSessionState, inputs: SessionInput[], now = 0) {
  const effects: SessionEffect[] = [];
  for (const input of inputs) {
    const step = stepDeviceSession(state, input, now, config);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects, sent: effects.flatMap((e) => (e.kind === 'send' ? [e.message] : [])) };
}

const register = (protocolVer: number, name = 'SEP000000000001') =>
  frame(buildFlat('RegisterReq', { deviceName: name, deviceType: protocolVer >= 15 ? 497 : 7, stationIpAddr: '10.0.0.5', protocolVer }));
const caps = frame({ type: 'CapabilitiesRes', capabilities: [{ payloadCapability: 4, maxFramesPerPacket: 40, param1: 0, param2: 0 }] });

function registered(protocolVer: number): DeviceSessionState {
  const r = run(createDeviceSession(0, config), [register(protocolVer), caps]);
  assert.equal(r.state.phase, 'registered');
  return r.state;
}

test('known device: connected → registering (RegisterAck, CapabilitiesReq) → registered', () => {
  let r = run(createDeviceSession(0, config), [register(11)]);
  assert.equal(r.state.phase, 'registering');
  assert.deepEqual(r.sent.map((m) => m.type), ['RegisterAck', 'CapabilitiesReq']);
  const ack = r.sent[0]!;
  assert.ok(ack.type === 'RegisterAck' && ack.keepAliveInterval === 10 && ack.maxProtocolVer === 11);
  r = run(r.state, [caps]);
  const reg = r.effects.find((e) => e.kind === 'registered');
  assert.ok(reg && reg.kind === 'registered');
  assert.deepEqual(reg.device, {
    deviceName: 'SEP000000000001', deviceType: 7, protocolVersion: 11, stationIp: '10.0.0.5', rtpPort: undefined,
    capabilities: [4], blfStyle: 'line-lamp',
  });
});

test('unknown device: RegisterReject then close, never registered', () => {
  const r = run(createDeviceSession(0, config), [register(11, 'SEPFFFFFFFFFFFF')]);
  assert.equal(r.state.phase, 'closed');
  assert.deepEqual(r.sent.map((m) => m.type), ['RegisterReject']);
  assert.ok(r.effects.some((e) => e.kind === 'close'));
  assert.ok(!r.effects.some((e) => e.kind === 'unregistered' || e.kind === 'registered'));
});

test('KeepAlive before Register is acked; a flood before Register closes', () => {
  let r = run(createDeviceSession(0, config), [frame(buildFlat('KeepAliveReq'))]);
  assert.deepEqual(r.sent.map((m) => m.type), ['KeepAliveAck']);
  r = run(r.state, Array.from({ length: 5 }, () => frame(buildFlat('OffHook'))));
  assert.equal(r.state.phase, 'closed');
  assert.ok(r.effects.some((e) => e.kind === 'close' && /flood/.test(e.reason)));
});

test('no Register before the deadline → close; registered keepalive timeout → unregistered + close', () => {
  const fresh = createDeviceSession(1000, config);
  assert.equal(fresh.deadline, 1000 + 30_000);
  assert.equal(run(fresh, [{ kind: 'tick' }], 30_999).state.phase, 'connected');
  assert.equal(run(fresh, [{ kind: 'tick' }], 31_000).state.phase, 'closed');
  const reg = run(registered(11), [frame(buildFlat('KeepAliveReq'))], 5_000);
  assert.equal(reg.state.deadline, 5_000 + 30_000);
  assert.deepEqual(reg.sent.map((m) => m.type), ['KeepAliveAck']);
  const late = run(reg.state, [{ kind: 'tick' }], 35_000);
  assert.deepEqual(late.effects.filter((e) => e.kind !== 'log').map((e) => e.kind), ['unregistered', 'close']);
});

test('stat requests are answered from the record (protocol 11: BLF as line buttons after the lines)', () => {
  const r = run(registered(11), [
    frame(buildFlat('ButtonTemplateReq')),
    frame(buildFlat('LineStatReq', { lineNumber: 1 })),
    frame(buildFlat('LineStatReq', { lineNumber: 2 })),
    frame(buildFlat('SpeedDialStatReq', { speedDialNumber: 1 })),
    frame(buildFlat('ForwardStatReq', { lineNumber: 1 })),
    frame(buildFlat('ConfigStatReq')),
  ]);
  const [tmpl, line1, line2, lamp, cs, sd, fwd, cfg] = r.sent;
  assert.ok(tmpl?.type === 'ButtonTemplateRes');
  assert.deepEqual(tmpl.buttons, [
    { instanceNumber: 1, buttonDefinition: 9 }, { instanceNumber: 2, buttonDefinition: 9 },
    { instanceNumber: 3, buttonDefinition: 9 }, { instanceNumber: 1, buttonDefinition: 2 },
  ]);
  assert.ok(line1?.type === 'LineStatRes' && line1.lineDirNumber === '1001' && line1.lineTextLabel === 'Alice');
  assert.ok(line2?.type === 'LineStatRes' && line2.lineDirNumber === '1002' && line2.lineTextLabel === 'Bob');
  assert.ok(lamp?.type === 'SetLamp' && lamp.stimulusInstance === 2 && lamp.lampMode === 4, 'unknown → flash');
  assert.ok(cs?.type === 'CallState' && cs.callState === 2 && cs.lineInstance === 2);
  assert.ok(sd?.type === 'SpeedDialStatRes' && sd.speedDialDirNumber === '1009');
  assert.ok(fwd?.type === 'ForwardStatRes' && fwd.forwardAllActive === 0);
  assert.ok(cfg?.type === 'ConfigStatRes' && cfg.numberLines === 1 && cfg.userName === 'alice');
});

test('protocol 15: BLF speed dials are 0x15 buttons answered with FeatureStatRes / V2 and pushed on change', () => {
  let r = run(registered(15), [
    frame(buildFlat('ButtonTemplateReq')),
    frame(buildFlat('FeatureStatReq', { featureIndex: 1, featureCapabilities: 0 })),
    frame(buildFlat('FeatureStatReq', { featureIndex: 2, featureCapabilities: 1 })),
  ]);
  const [tmpl, f1, f2] = r.sent;
  assert.ok(tmpl?.type === 'ButtonTemplateRes');
  assert.deepEqual(tmpl.buttons.slice(1, 3), [{ instanceNumber: 1, buttonDefinition: 0x15 }, { instanceNumber: 2, buttonDefinition: 0x15 }]);
  assert.deepEqual(f1, { type: 'FeatureStatRes', featureIndex: 1, featureID: 0x15, featureTextLabel: 'Bob', featureStatus: 0 });
  assert.deepEqual(f2, { type: 'FeatureStatV2Res', featureIndex: 2, featureID: 0x15, featureTextLabel: 'Carol', featureStatus: 0 });
  const table: Array<[1 | 2, 'idle' | 'inUse' | 'dnd' | 'alerting', number]> = [[1, 'idle', 1], [1, 'inUse', 2], [2, 'dnd', 3], [2, 'alerting', 4]];
  for (const [index, status, wire] of table) {
    r = run(r.state, [{ kind: 'command', command: { kind: 'setBlfStatus', index, status } }]);
    assert.equal(r.sent.length, 1);
    const m = r.sent[0]!;
    assert.ok((m.type === 'FeatureStatRes' || m.type === 'FeatureStatV2Res') && m.featureStatus === wire && m.featureIndex === index);
  }
  r = run(r.state, [frame(buildFlat('FeatureStatReq', { featureIndex: 1 }))]);
  assert.ok(r.sent[0]?.type === 'FeatureStatRes' && r.sent[0].featureStatus === 2, 'answer carries the last status');
});

test('protocol < 15: BLF status → SetLamp + CallState; leaving alerting sends Congestion first', () => {
  const expect: Array<[string, Array<[string, number]>]> = [
    ['idle', [['SetLamp', 1], ['CallState', 2]]],
    ['alerting', [['SetLamp', 5], ['CallState', 4]]],
    ['inUse', [['CallState', 7], ['SetLamp', 2], ['CallState', 13]]],
    ['unknown', [['SetLamp', 4], ['CallState', 2]]],
  ];
  let state = registered(11);
  for (const [status, msgs] of expect) {
    const r = run(state, [{ kind: 'command', command: { kind: 'setBlfStatus', index: 1, status: status as 'idle' } }]);
    state = r.state;
    assert.deepEqual(r.sent.map((m) => [m.type, m.type === 'SetLamp' ? m.lampMode : m.type === 'CallState' ? m.callState : -1]), msgs, status);
    for (const m of r.sent) assert.ok((m.type === 'SetLamp' ? m.stimulusInstance : m.type === 'CallState' ? m.lineInstance : 0) === 2);
  }
});

test('phone events become effects; unknown ids are counted and too many close', () => {
  let r = run(registered(11), [
    frame(buildFlat('OffHook', { lineInstance: 1 })),
    frame(buildFlat('KeypadButton', { kpButton: 14, lineInstance: 1, callReference: 3 })),
    frame(buildFlat('SoftKeyEvent', { softKeyEvent: 9, lineInstance: 1, callReference: 3 })),
    frame(buildFlat('Stimulus', { stimulus: 9, stimulusInstance: 1 })),
    frame(buildFlat('OnHook', { lineInstance: 1, callReference: 3 })),
  ]);
  assert.deepEqual(r.effects.filter((e) => e.kind !== 'log'), [
    { kind: 'hook', offHook: true, lineInstance: 1, callReference: 0 },
    { kind: 'digit', digit: '*', lineInstance: 1, callReference: 3 },
    { kind: 'softKey', softKeyEvent: 9, lineInstance: 1, callReference: 3 },
    { kind: 'stimulus', stimulus: 9, stimulusInstance: 1, callReference: 0, stimulusStatus: 0 },
    { kind: 'hook', offHook: false, lineInstance: 1, callReference: 3 },
  ]);
  const unknown = frame({ type: 'Unknown', id: 0x4242, payload: new Uint8Array(0) });
  const wrongDirection = frame(buildFlat('SetLamp'));
  r = run(r.state, [unknown, wrongDirection, { kind: 'bad-frame', error: remoteError('truncated-payload', 'x') }]);
  assert.equal(r.state.phase, 'registered');
  assert.equal(r.state.badFrames, 3);
  r = run(r.state, [unknown]);
  assert.equal(r.state.phase, 'closed');
  assert.ok(r.effects.some((e) => e.kind === 'unregistered'));
});

test('a fatal framing error closes at once; UnregisterReq is acked and unregisters', () => {
  const fatal = run(registered(11), [{ kind: 'bad-frame', error: remoteError('length-too-large', 'huge') }]);
  assert.equal(fatal.state.phase, 'closed');
  const un = run(registered(11), [frame(buildFlat('UnregisterReq'))]);
  assert.deepEqual(un.sent, [buildFlat('UnregisterAck', { status: 0 })]);
  assert.deepEqual(un.effects.filter((e) => e.kind !== 'log' && e.kind !== 'send').map((e) => e.kind), ['unregistered', 'close']);
});

test('commands before registration are ignored; inputs after close are a bug', () => {
  const r = run(createDeviceSession(0, config), [{ kind: 'command', command: { kind: 'setBlfStatus', index: 1, status: 'idle' } }]);
  assert.deepEqual(r.sent, []);
  const closed = run(registered(11), [{ kind: 'closed' }]).state;
  assert.throws(() => stepDeviceSession(closed, { kind: 'tick' }, 0, config), SccpStateError);
});

test('showRinging renders the incoming-call bundle of sccp-facts.md §7', () => {
  const r = run(registered(11), [{ kind: 'command', command: { kind: 'showRinging', lineInstance: 1, callReference: 42, callingParty: '1002', callingPartyName: 'Bob' } }]);
  assert.deepEqual(r.sent.map((m) => m.type), ['CallState', 'SelectSoftKeys', 'DisplayPromptStatus', 'CallInfo', 'SetLamp', 'SetRinger', 'ActivateCallPlane']);
});
