/**
 * fixtures/sccp/*.hex: annotated frame dumps (one field per line, `# comment`). Each must encode
 * byte-exactly from its expected message and decode back to it; every fixture file has a row here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { buildFlat, decodeFrame, encode, type SccpMessage } from '../../../../src/sccp/index.js';

const DIR = 'fixtures/sccp';

function readHex(file: string): Uint8Array {
  const hex = readFileSync(`${DIR}/${file}`, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .join(' ')
    .split(/\s+/)
    .filter(Boolean);
  for (const h of hex) assert.match(h, /^[0-9a-f]{2}$/i, `${file}: bad byte ${h}`);
  return new Uint8Array(hex.map((h) => parseInt(h, 16)));
}

const EXPECTED: Record<string, SccpMessage> = {
  'keepalive-req.hex': buildFlat('KeepAliveReq'),
  'set-lamp-blf-on.hex': buildFlat('SetLamp', { stimulus: 0x15, stimulusInstance: 1, lampMode: 2 }),
  'call-state-connected.hex': buildFlat('CallState', { callState: 5, lineInstance: 1, callReference: 7, precedenceLevel: 4 }),
  'feature-stat-res-bob-inuse.hex': buildFlat('FeatureStatRes', { featureIndex: 1, featureID: 0x15, featureTextLabel: 'Bob', featureStatus: 2 }),
  'keypad-button-hash.hex': buildFlat('KeypadButton', { kpButton: 15, lineInstance: 1, callReference: 7 }),
  'register-req-7960.hex': buildFlat('RegisterReq', {
    deviceName: 'SEP001122334455', instance: 1, stationIpAddr: '127.0.0.1', deviceType: 7, maxStreams: 5, protocolVer: 11,
    macAddress: new Uint8Array([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0, 0, 0, 0]), maxNumberOfLines: 2,
    firmwareLoadName: 'P00308010200',
  }),
};

test('every fixture file has an expected message', () => {
  assert.deepEqual(readdirSync(DIR).filter((f) => f.endsWith('.hex')).sort(), Object.keys(EXPECTED).sort());
});

for (const [file, msg] of Object.entries(EXPECTED)) {
  test(`fixture ${file}: byte-exact encode and decode`, () => {
    const bytes = readHex(file);
    assert.deepEqual(encode(msg), bytes);
    const r = decodeFrame(bytes);
    assert.ok(r.ok);
    assert.deepEqual(r.frame.message, msg);
  });
}
