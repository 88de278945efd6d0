/**
 * Skinny enumerations used on the wire (sccp-facts.md §4, §5, §6). Numeric values are the wire
 * values; names follow tshark 4.0.17 where it has them.
 */

/** `skinny.callState` (CallState 0x0111), §4.1. */
export const CallStateValue = {
  idle: 0, offHook: 1, onHook: 2, ringOut: 3, ringIn: 4, connected: 5, busy: 6, congestion: 7, hold: 8,
  callWaiting: 9, callTransfer: 10, callPark: 11, proceed: 12, callRemoteMultiline: 13, invalidNumber: 14,
  holdRevert: 15, whisper: 16, remoteHold: 17,
} as const;

/** `skinny.tone` (StartTone 0x0082), §4.2. */
export const Tone = {
  silence: 0x00, insideDialTone: 0x21, outsideDialTone: 0x22, lineBusyTone: 0x23, alertingTone: 0x24,
  reorderTone: 0x25, callWaitingTone: 0x2d, noSuchNumberTone: 0x2b, zipZip: 0x31, zip: 0x32, beepBonk: 0x33,
  holdTone: 0x35, noTone: 0x7f,
} as const;

/** `skinny.lampMode` (SetLamp 0x0086), §4.3. */
export const LampMode = { off: 1, on: 2, wink: 3, flash: 4, blink: 5 } as const;

/** `skinny.ringMode` (SetRinger 0x0085), §4.3. */
export const RingMode = { ringOff: 1, insideRing: 2, outsideRing: 3, featureRing: 4, flashOnly: 5 } as const;

/** `skinny.ringDuration`: 1 ring repeatedly, 2 ring once. */
export const RingDuration = { normalRing: 1, singleRing: 2 } as const;

/** `skinny.speakerMode`, §4.3. */
export const SpeakerMode = { on: 1, off: 2 } as const;

/** Stimulus / button definition / featureID codes (one shared table), §4.4. */
export const StimulusCode = {
  unused: 0x00, lastNumberRedial: 0x01, speedDial: 0x02, hold: 0x03, transfer: 0x04, forwardAll: 0x05,
  forwardBusy: 0x06, forwardNoAnswer: 0x07, display: 0x08, line: 0x09, voiceMail: 0x0f, blfSpeedDial: 0x15,
  conference: 0x7d, callPark: 0x7e, callPickUp: 0x7f, groupCallPickUp: 0x80, undefined: 0xff,
} as const;

/** `skinny.softKeyEvent`, §4.5 (values with tshark labels). */
export const SoftKeyEventCode = {
  redial: 1, newCall: 2, hold: 3, transfer: 4, cfwdAll: 5, cfwdBusy: 6, cfwdNoAnswer: 7, backSpace: 8,
  endCall: 9, resume: 10, answer: 11, info: 12, confrn: 13, park: 14, join: 15, meetMe: 16, pickUp: 17,
  grpPickup: 18, dnd: 63, iDivert: 80, dial: 201,
} as const;

/** `skinny.softKeySetIndex` in the CUCM default set order, §4.5. */
export const SoftKeySetIndex = {
  onHook: 0, connected: 1, onHold: 2, ringIn: 3, offHook: 4, connectedTransferable: 5, digitsFollowing: 6,
  connectedConference: 7, ringOut: 8, offHookWithFeatures: 9, inUseHint: 10,
} as const;

/** BLF status (`featureStatus` of FeatureStatRes/V2, `notificationStatus`), §6.2. */
export const BlfStatusValue = { unknown: 0, idle: 1, inUse: 2, dnd: 3, alerting: 4 } as const;

/** A BLF status by name. */
export type BlfStatus = keyof typeof BlfStatusValue;

/** `callType` of CallInfo. */
export const CallType = { inBound: 1, outBound: 2, forward: 3 } as const;

/** UnregisterAck status. */
export const UnregisterStatus = { ok: 0, error: 1, nak: 2 } as const;

/** Common device types (Register `deviceType`), §5. */
export const DeviceType = {
  cisco7910: 6, cisco7960: 7, cisco7940: 8, cisco7941: 115, cisco7971: 119, cisco7911: 307,
  cisco7942: 434, cisco7945: 435, cisco7965: 436, cisco7975: 437, cisco6921: 495, cisco6941: 496,
  cisco6961: 497, cisco8945: 585, cisco7970: 30006, cisco7961: 30018, ipCommunicator: 30016,
} as const;

/** Media payload capabilities (CapabilitiesRes), §3.1. */
export const PayloadCapability = { g711Alaw: 2, g711Ulaw: 4, g722: 6, g7231: 9, g729: 11, g729AnnexA: 12 } as const;

/** First protocol version that gets BLF speed dials as feature-status buttons (§6.2). */
export const DYNAMIC_BLF_MIN_PROTOCOL = 15;

/** kpButton (KeypadButton 0x0003) → dialled character; §4.3. */
export function keypadChar(kpButton: number): string | undefined {
  if (kpButton >= 0 && kpButton <= 9) return String(kpButton);
  return ({ 10: 'A', 11: 'B', 12: 'C', 13: 'D', 14: '*', 15: '#', 16: '+' } as Record<number, string>)[kpButton];
}

/** Dialled character → kpButton; undefined for a character a keypad does not have. */
export function keypadButtonOf(char: string): number | undefined {
  if (/^[0-9]$/.test(char)) return Number(char);
  return ({ A: 10, B: 11, C: 12, D: 13, '*': 14, '#': 15, '+': 16 } as Record<string, number>)[char];
}
