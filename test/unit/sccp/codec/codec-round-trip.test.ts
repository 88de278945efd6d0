/**
 * Table-driven round trips for every modelled Skinny message: encode → decodeFrame gives the same
 * value back, the header carries the real id, and payload sizes match sccp-facts.md §3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildFlat,
  decodeFrame,
  encode,
  MESSAGE_IDS,
  type SccpMessage,
  type SccpMessageName,
} from '../../../../src/sccp/index.js';

const mac = new Uint8Array([0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0, 0, 0, 0, 0, 0]);

/** One row per message: a value and the payload size we must send (sccp-facts.md §3). */
const ROWS: Array<{ msg: SccpMessage; size: number }> = [
  { msg: buildFlat('KeepAliveReq'), size: 0 },
  {
    msg: buildFlat('RegisterReq', {
      deviceName: 'SEP001A2B3C4D5E', instance: 1, stationIpAddr: '127.0.0.1', deviceType: 7, maxStreams: 5,
      protocolVer: 11, phoneFeatures: 0x8000, macAddress: mac, maxNumberOfLines: 2, firmwareLoadName: 'P00308010200',
    }),
    size: 124,
  },
  { msg: buildFlat('IpPort', { rtpMediaPort: 20000 }), size: 4 },
  { msg: buildFlat('KeypadButton', { kpButton: 15, lineInstance: 1, callReference: 7 }), size: 12 },
  { msg: buildFlat('Stimulus', { stimulus: 9, stimulusInstance: 2, callReference: 0, stimulusStatus: 0 }), size: 16 },
  { msg: buildFlat('OffHook', { lineInstance: 1, callReference: 0 }), size: 8 },
  { msg: buildFlat('OnHook', { lineInstance: 1, callReference: 99 }), size: 8 },
  { msg: buildFlat('ForwardStatReq', { lineNumber: 1 }), size: 4 },
  { msg: buildFlat('SpeedDialStatReq', { speedDialNumber: 3 }), size: 4 },
  { msg: buildFlat('LineStatReq', { lineNumber: 2 }), size: 4 },
  { msg: buildFlat('ConfigStatReq'), size: 0 },
  { msg: buildFlat('TimeDateReq'), size: 0 },
  { msg: buildFlat('ButtonTemplateReq'), size: 0 },
  {
    msg: { type: 'CapabilitiesRes', capabilities: [
      { payloadCapability: 4, maxFramesPerPacket: 40, param1: 0, param2: 0 },
      { payloadCapability: 11, maxFramesPerPacket: 60, param1: 1, param2: 2 },
    ] },
    size: 36,
  },
  { msg: buildFlat('SoftKeySetReq'), size: 0 },
  { msg: buildFlat('SoftKeyEvent', { softKeyEvent: 9, lineInstance: 1, callReference: 5 }), size: 12 },
  { msg: buildFlat('UnregisterReq'), size: 0 },
  { msg: buildFlat('SoftKeyTemplateReq'), size: 0 },
  { msg: buildFlat('RegisterAvailableLines', { maxNumOfAvailLines: 2 }), size: 4 },
  { msg: buildFlat('FeatureStatReq', { featureIndex: 1, featureCapabilities: 1 }), size: 8 },
  {
    msg: buildFlat('RegisterAck', {
      keepAliveInterval: 30, dateTemplate: 'M/D/Y', secondaryKeepAliveInterval: 60, maxProtocolVer: 17,
      featureByte: 0x20, phoneFeatures: 0xfff1,
    }),
    size: 20,
  },
  { msg: buildFlat('StartTone', { tone: 0x21, toneDirection: 0, lineInstance: 1, callReference: 3 }), size: 16 },
  { msg: buildFlat('StopTone', { lineInstance: 1, callReference: 3 }), size: 8 },
  { msg: buildFlat('SetRinger', { ringMode: 2, ringDuration: 1, lineInstance: 1, callReference: 3 }), size: 16 },
  { msg: buildFlat('SetLamp', { stimulus: 0x15, stimulusInstance: 1, lampMode: 2 }), size: 12 },
  { msg: buildFlat('SetSpeakerMode', { speakerMode: 2 }), size: 4 },
  {
    msg: buildFlat('CallInfo', {
      callingPartyName: 'Alice', callingParty: '1001', calledPartyName: 'Bob', calledParty: '1002',
      lineInstance: 1, callReference: 77, callType: 1, callInstance: 1, callSecurityStatus: 0,
    }),
    size: 384,
  },
  {
    msg: buildFlat('ForwardStatRes', { activeForward: 1, lineNumber: 1, forwardAllActive: 1, forwardAllDirnum: '2000' }),
    size: 92,
  },
  { msg: buildFlat('SpeedDialStatRes', { speedDialNumber: 1, speedDialDirNumber: '1003', speedDialDisplayName: 'Carol' }), size: 68 },
  {
    msg: buildFlat('LineStatRes', {
      lineNumber: 1, lineDirNumber: '1001', lineFullyQualifiedDisplayName: 'Alice', lineTextLabel: 'Alice 1001',
      lineDisplayOptions: 15,
    }),
    size: 112,
  },
  {
    msg: buildFlat('ConfigStatRes', { deviceName: 'SEP001A2B3C4D5E', instance: 1, userName: 'alice', serverName: 'blfgw', numberLines: 1, numberSpeedDials: 2 }),
    size: 112,
  },
  {
    msg: buildFlat('TimeDateRes', {
      year: 2024, month: 5, dayOfWeek: 3, day: 15, hour: 12, minute: 30, second: 45, milliseconds: 120, systemTime: 1715776245,
    }),
    size: 36,
  },
  {
    msg: { type: 'ButtonTemplateRes', buttonOffset: 0, totalButtonCount: 3, buttons: [
      { instanceNumber: 1, buttonDefinition: 9 }, { instanceNumber: 1, buttonDefinition: 0x15 }, { instanceNumber: 1, buttonDefinition: 2 },
    ] },
    size: 96,
  },
  { msg: buildFlat('ClearDisplay'), size: 4 },
  { msg: buildFlat('CapabilitiesReq'), size: 0 },
  { msg: buildFlat('RegisterReject', { text: 'Unknown device' }), size: 32 },
  { msg: buildFlat('KeepAliveAck'), size: 0 },
  {
    msg: { type: 'SoftKeyTemplateRes', softKeyOffset: 0, totalSoftKeyCount: 2, softKeys: [
      { softKeyLabel: '\x80\x09', softKeyEvent: 9 }, { softKeyLabel: '\x80\x0b', softKeyEvent: 11 },
    ] },
    size: 652,
  },
  {
    msg: { type: 'SoftKeySetRes', softKeySetOffset: 0, totalSoftKeySetCount: 2, softKeySets: [
      { softKeyTemplateIndex: [1, 2], softKeyInfoIndex: [301, 302] }, { softKeyTemplateIndex: [2], softKeyInfoIndex: [302] },
    ] },
    size: 780,
  },
  { msg: buildFlat('SelectSoftKeys', { lineInstance: 1, callReference: 3, softKeySetIndex: 4, validKeyMask: 0xffffffff }), size: 16 },
  { msg: buildFlat('CallState', { callState: 5, lineInstance: 1, callReference: 3, precedenceLevel: 4 }), size: 24 },
  { msg: buildFlat('DisplayPromptStatus', { timeOutValue: 0, promptStatus: '\x80\x18', lineInstance: 1, callReference: 3 }), size: 44 },
  { msg: buildFlat('ClearPromptStatus', { lineInstance: 1, callReference: 3 }), size: 8 },
  { msg: buildFlat('ActivateCallPlane', { lineInstance: 1 }), size: 4 },
  { msg: buildFlat('UnregisterAck', { status: 0 }), size: 4 },
  { msg: buildFlat('DialedNumber', { dialedNumber: '1002', lineInstance: 1, callReference: 3 }), size: 32 },
  { msg: buildFlat('FeatureStatRes', { featureIndex: 1, featureID: 0x15, featureTextLabel: 'Bob', featureStatus: 2 }), size: 52 },
  { msg: { type: 'FeatureStatV2Res', featureIndex: 2, featureID: 0x15, featureStatus: 4, featureTextLabel: 'Carol' }, size: 20 },
  { msg: { type: 'Unknown', id: 0x0020, payload: new Uint8Array([1, 2, 3, 4]) }, size: 4 },
];

test('the table has a row for every modelled message', () => {
  const covered = new Set(ROWS.map((r) => r.msg.type));
  const missing = (Object.keys(MESSAGE_IDS) as SccpMessageName[]).filter((n) => !covered.has(n));
  assert.deepEqual(missing, []);
});

for (const { msg, size } of ROWS) {
  test(`round trip ${msg.type}`, () => {
    const pdu = encode(msg);
    const view = new DataView(pdu.buffer, pdu.byteOffset, pdu.byteLength);
    assert.equal(pdu.length, 12 + size, 'PDU size');
    assert.equal(view.getUint32(0, true), 4 + size, 'data_length');
    assert.equal(view.getUint32(4, true), 0, 'header version 0');
    const id = msg.type === 'Unknown' ? msg.id : MESSAGE_IDS[msg.type];
    assert.equal(view.getUint32(8, true), id, 'message id');
    const decoded = decodeFrame(pdu);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.detail);
    assert.deepEqual(decoded.frame.message, msg);
  });
}

test('encoding a value that does not fit is our bug and throws', () => {
  assert.throws(() => encode(buildFlat('LineStatReq', { lineNumber: -1 })), /does not fit u32/);
  assert.throws(() => encode(buildFlat('RegisterReject', { text: 'x'.repeat(32) })), /does not fit char\[32\]/);
  assert.throws(() => encode(buildFlat('RegisterReq', { stationIpAddr: '1.2.3' })), /not an IPv4/);
  assert.throws(() => encode(buildFlat('DialedNumber', { dialedNumber: '\u20ac' })), /not latin1/);
});

test('short optional trailing fields decode as zero (OffHook with an empty body)', () => {
  const pdu = new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0]);
  const r = decodeFrame(pdu);
  assert.ok(r.ok);
  assert.deepEqual(r.frame.message, { type: 'OffHook', lineInstance: 0, callReference: 0 });
});

test('a known message with a truncated payload is a non-fatal peer error', () => {
  const pdu = encode(buildFlat('CallState', { callState: 1 })).slice(0, 12 + 12);
  new DataView(pdu.buffer).setUint32(0, 4 + 12, true);
  const r = decodeFrame(pdu);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.error.code === 'truncated-payload' && !r.error.fatal && r.error.messageId === 0x0111);
});

test('a longer payload than the layout is accepted (chan_skinny spare bytes)', () => {
  const base = encode(buildFlat('DisplayPromptStatus', { promptStatus: 'hi', lineInstance: 1 }));
  const pdu = new Uint8Array(base.length + 12);
  pdu.set(base);
  new DataView(pdu.buffer).setUint32(0, 4 + 44 + 12, true);
  const r = decodeFrame(pdu);
  assert.ok(r.ok);
  assert.equal(r.ok && r.frame.message.type === 'DisplayPromptStatus' && r.frame.message.promptStatus, 'hi');
});
