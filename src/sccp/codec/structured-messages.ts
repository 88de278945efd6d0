/**
 * Skinny messages whose payload holds arrays or variable text (sccp-facts.md §3.1–3.3, §3.6), each
 * with a hand-written encoder and decoder.
 *
 * Rule 1: array messages are sent with the full slot count of the C structs (chan_skinny), unused
 * slots zeroed: ButtonTemplateRes 42 pairs (96-byte payload), SoftKeyTemplateRes 32 keys (652),
 * SoftKeySetRes 16 sets (780). CapabilitiesRes is sent with exactly `capCount` entries.
 * Rule 2: a count larger than the slots, or pointing past the payload, is a peer error (decode) or a
 * bug (encode).
 */
import { remoteError, SccpEncodeError, type SccpRemoteError } from '../errors.js';
import { checkUnsigned, readText, viewOf, writeText } from './wire-format.js';

/** One codec capability reported by the phone. */
export interface MediaCapability {
  payloadCapability: number;
  maxFramesPerPacket: number;
  /** codec-specific parameters (8 bytes on the wire, as two u32). */
  param1: number;
  param2: number;
}

/** 0x0010 CapabilitiesRes (station → CM). */
export interface CapabilitiesRes {
  type: 'CapabilitiesRes';
  capabilities: MediaCapability[];
}

/** One ButtonTemplate slot: instance number (per button type) and button definition (§4.4). */
export interface ButtonDefinition {
  instanceNumber: number;
  buttonDefinition: number;
}

/** 0x0097 ButtonTemplateRes (CM → station); `buttonCount` on the wire = `buttons.length`. */
export interface ButtonTemplateRes {
  type: 'ButtonTemplateRes';
  buttonOffset: number;
  totalButtonCount: number;
  buttons: ButtonDefinition[];
}

/** One soft key of the template. */
export interface SoftKeyTemplateEntry {
  softKeyLabel: string;
  softKeyEvent: number;
}

/** 0x0108 SoftKeyTemplateRes (CM → station). */
export interface SoftKeyTemplateRes {
  type: 'SoftKeyTemplateRes';
  softKeyOffset: number;
  totalSoftKeyCount: number;
  softKeys: SoftKeyTemplateEntry[];
}

/** One soft key set: up to 16 template indexes (1-based into the template, 0 = empty) and info indexes. */
export interface SoftKeySet {
  softKeyTemplateIndex: number[];
  softKeyInfoIndex: number[];
}

/** 0x0109 SoftKeySetRes (CM → station). */
export interface SoftKeySetRes {
  type: 'SoftKeySetRes';
  softKeySetOffset: number;
  totalSoftKeySetCount: number;
  softKeySets: SoftKeySet[];
}

/** 0x0146 FeatureStatV2Res, the "dynamic" BLF status with a variable-length label. */
export interface FeatureStatV2Res {
  type: 'FeatureStatV2Res';
  featureIndex: number;
  featureID: number;
  featureStatus: number;
  featureTextLabel: string;
}

/** Union of the structured messages. */
export type StructuredMessage = CapabilitiesRes | ButtonTemplateRes | SoftKeyTemplateRes | SoftKeySetRes | FeatureStatV2Res;

/** Ids of the structured messages. */
export const STRUCTURED_IDS = {
  CapabilitiesRes: 0x0010,
  ButtonTemplateRes: 0x0097,
  SoftKeyTemplateRes: 0x0108,
  SoftKeySetRes: 0x0109,
  FeatureStatV2Res: 0x0146,
} as const satisfies Record<StructuredMessage['type'], number>;

const MAX_CAPS = 18;
const BUTTON_SLOTS = 42;
const SOFTKEY_SLOTS = 32;
const SOFTKEY_SET_SLOTS = 16;
const KEYS_PER_SET = 16;
/** chan-sccp-b's FeatureStatV2 label buffer. */
const MAX_V2_LABEL = 120;

function tooMany(what: string, n: number, max: number): never {
  throw new SccpEncodeError(`${what}: ${n} entries > ${max}`);
}

/** Encodes the payload of a structured message. */
export function encodeStructuredPayload(msg: StructuredMessage): Uint8Array {
  switch (msg.type) {
    case 'CapabilitiesRes':
      return encodeCapabilities(msg);
    case 'ButtonTemplateRes':
      return encodeButtonTemplate(msg);
    case 'SoftKeyTemplateRes':
      return encodeSoftKeyTemplate(msg);
    case 'SoftKeySetRes':
      return encodeSoftKeySets(msg);
    case 'FeatureStatV2Res':
      return encodeFeatureStatV2(msg);
  }
}

function encodeCapabilities(msg: CapabilitiesRes): Uint8Array {
  const caps = msg.capabilities;
  if (caps.length > MAX_CAPS) tooMany('CapabilitiesRes', caps.length, MAX_CAPS);
  const out = new Uint8Array(4 + 16 * caps.length);
  const v = viewOf(out);
  v.setUint32(0, caps.length, true);
  caps.forEach((c, i) => {
    const o = 4 + 16 * i;
    for (const [k, value] of [[0, c.payloadCapability], [4, c.maxFramesPerPacket], [8, c.param1], [12, c.param2]] as const) {
      checkUnsigned(value, 32, 'CapabilitiesRes field');
      v.setUint32(o + k, value, true);
    }
  });
  return out;
}

function encodeButtonTemplate(msg: ButtonTemplateRes): Uint8Array {
  if (msg.buttons.length > BUTTON_SLOTS) tooMany('ButtonTemplateRes', msg.buttons.length, BUTTON_SLOTS);
  const out = new Uint8Array(12 + 2 * BUTTON_SLOTS);
  const v = viewOf(out);
  v.setUint32(0, msg.buttonOffset, true);
  v.setUint32(4, msg.buttons.length, true);
  v.setUint32(8, msg.totalButtonCount, true);
  msg.buttons.forEach((b, i) => {
    checkUnsigned(b.instanceNumber, 8, 'instanceNumber');
    checkUnsigned(b.buttonDefinition, 8, 'buttonDefinition');
    out[12 + 2 * i] = b.instanceNumber;
    out[13 + 2 * i] = b.buttonDefinition;
  });
  return out;
}

function encodeSoftKeyTemplate(msg: SoftKeyTemplateRes): Uint8Array {
  if (msg.softKeys.length > SOFTKEY_SLOTS) tooMany('SoftKeyTemplateRes', msg.softKeys.length, SOFTKEY_SLOTS);
  const out = new Uint8Array(12 + 20 * SOFTKEY_SLOTS);
  const v = viewOf(out);
  v.setUint32(0, msg.softKeyOffset, true);
  v.setUint32(4, msg.softKeys.length, true);
  v.setUint32(8, msg.totalSoftKeyCount, true);
  msg.softKeys.forEach((k, i) => {
    writeText(out, 12 + 20 * i, 16, k.softKeyLabel);
    v.setUint32(12 + 20 * i + 16, k.softKeyEvent, true);
  });
  return out;
}

function encodeSoftKeySets(msg: SoftKeySetRes): Uint8Array {
  const sets = msg.softKeySets;
  if (sets.length > SOFTKEY_SET_SLOTS) tooMany('SoftKeySetRes', sets.length, SOFTKEY_SET_SLOTS);
  const out = new Uint8Array(12 + 48 * SOFTKEY_SET_SLOTS);
  const v = viewOf(out);
  v.setUint32(0, msg.softKeySetOffset, true);
  v.setUint32(4, sets.length, true);
  v.setUint32(8, msg.totalSoftKeySetCount, true);
  sets.forEach((s, i) => {
    const o = 12 + 48 * i;
    if (s.softKeyTemplateIndex.length > KEYS_PER_SET || s.softKeyInfoIndex.length > KEYS_PER_SET) {
      tooMany('SoftKeySet keys', Math.max(s.softKeyTemplateIndex.length, s.softKeyInfoIndex.length), KEYS_PER_SET);
    }
    s.softKeyTemplateIndex.forEach((t, k) => {
      checkUnsigned(t, 8, 'softKeyTemplateIndex');
      out[o + k] = t;
    });
    s.softKeyInfoIndex.forEach((t, k) => {
      checkUnsigned(t, 16, 'softKeyInfoIndex');
      v.setUint16(o + 16 + 2 * k, t, true);
    });
  });
  return out;
}

function encodeFeatureStatV2(msg: FeatureStatV2Res): Uint8Array {
  if (msg.featureTextLabel.length > MAX_V2_LABEL) tooMany('FeatureStatV2Res label', msg.featureTextLabel.length, MAX_V2_LABEL);
  const textBytes = msg.featureTextLabel.length + 1; // NUL-terminated
  const out = new Uint8Array(12 + Math.ceil(textBytes / 4) * 4);
  const v = viewOf(out);
  v.setUint32(0, msg.featureIndex, true);
  v.setUint32(4, msg.featureID, true);
  v.setUint32(8, msg.featureStatus, true);
  writeText(out, 12, textBytes, msg.featureTextLabel);
  return out;
}

/** Decodes the payload of structured message `name`. */
export function decodeStructuredPayload(
  name: StructuredMessage['type'],
  p: Uint8Array,
): StructuredMessage | SccpRemoteError {
  const id = STRUCTURED_IDS[name];
  const need = (n: number, what: string) =>
    p.length < n ? remoteError('truncated-payload', `${name}: ${what} needs ${n} bytes, got ${p.length}`, id) : undefined;
  const v = viewOf(p);
  const head = need(name === 'CapabilitiesRes' ? 4 : 12, 'header');
  if (head) return head;
  switch (name) {
    case 'CapabilitiesRes': {
      const count = v.getUint32(0, true);
      if (count > MAX_CAPS) return remoteError('malformed-payload', `CapabilitiesRes: capCount ${count} > ${MAX_CAPS}`, id);
      const short = need(4 + 16 * count, `${count} capabilities`);
      if (short) return short;
      const capabilities = Array.from({ length: count }, (_, i) => ({
        payloadCapability: v.getUint32(4 + 16 * i, true),
        maxFramesPerPacket: v.getUint32(8 + 16 * i, true),
        param1: v.getUint32(12 + 16 * i, true),
        param2: v.getUint32(16 + 16 * i, true),
      }));
      return { type: name, capabilities };
    }
    case 'ButtonTemplateRes': {
      const count = v.getUint32(4, true);
      if (count > BUTTON_SLOTS) return remoteError('malformed-payload', `buttonCount ${count} > ${BUTTON_SLOTS}`, id);
      const short = need(12 + 2 * count, `${count} buttons`);
      if (short) return short;
      const buttons = Array.from({ length: count }, (_, i) => ({
        instanceNumber: p[12 + 2 * i]!,
        buttonDefinition: p[13 + 2 * i]!,
      }));
      return { type: name, buttonOffset: v.getUint32(0, true), totalButtonCount: v.getUint32(8, true), buttons };
    }
    case 'SoftKeyTemplateRes': {
      const count = v.getUint32(4, true);
      if (count > SOFTKEY_SLOTS) return remoteError('malformed-payload', `softKeyCount ${count} > ${SOFTKEY_SLOTS}`, id);
      const short = need(12 + 20 * count, `${count} soft keys`);
      if (short) return short;
      const softKeys = Array.from({ length: count }, (_, i) => ({
        softKeyLabel: readText(p, 12 + 20 * i, 16),
        softKeyEvent: v.getUint32(28 + 20 * i, true),
      }));
      return { type: name, softKeyOffset: v.getUint32(0, true), totalSoftKeyCount: v.getUint32(8, true), softKeys };
    }
    case 'SoftKeySetRes':
      return decodeSoftKeySets(p, v, id);
    case 'FeatureStatV2Res':
      return {
        type: name,
        featureIndex: v.getUint32(0, true),
        featureID: v.getUint32(4, true),
        featureStatus: v.getUint32(8, true),
        featureTextLabel: readText(p, 12, p.length - 12),
      };
  }
}

function decodeSoftKeySets(p: Uint8Array, v: DataView, id: number): SoftKeySetRes | SccpRemoteError {
  const count = v.getUint32(4, true);
  if (count > SOFTKEY_SET_SLOTS) return remoteError('malformed-payload', `softKeySetCount ${count} > ${SOFTKEY_SET_SLOTS}`, id);
  if (p.length < 12 + 48 * count) return remoteError('truncated-payload', `SoftKeySetRes: ${count} sets need ${12 + 48 * count} bytes`, id);
  const softKeySets = Array.from({ length: count }, (_, i) => {
    const o = 12 + 48 * i;
    const templ = Array.from(p.subarray(o, o + KEYS_PER_SET));
    const info = Array.from({ length: KEYS_PER_SET }, (_, k) => v.getUint16(o + 16 + 2 * k, true));
    // trailing empty slots are not part of the set
    let n = KEYS_PER_SET;
    while (n > 0 && templ[n - 1] === 0 && info[n - 1] === 0) n--;
    return { softKeyTemplateIndex: templ.slice(0, n), softKeyInfoIndex: info.slice(0, n) };
  });
  return { type: 'SoftKeySetRes', softKeySetOffset: v.getUint32(0, true), totalSoftKeySetCount: v.getUint32(8, true), softKeySets };
}
