/**
 * Commands the adapter side gives a registered device, and the Skinny messages that render them
 * (sccp-facts.md §7 call flows, §6 BLF).
 *
 * Rule 1: rendering is pure; only `setBlfStatus` changes session state (the FSM remembers the last
 * status per BLF button, to answer later FeatureStatReq / LineStatReq with it).
 * Rule 2 (BLF, §6.1/§6.2): feature-status devices get FeatureStatRes (0x011F), or FeatureStatV2Res
 * (0x0146) for a button the phone requested with featureCapabilities bit 1; line-lamp devices get
 * SetLamp(Line, instance, lamp) + CallState(state, instance, callReference 0), with a CallState
 * Congestion first when alerting ends (chan-sccp-b: the phone then logs no missed call).
 */
import {
  BlfStatusValue,
  buildFlat,
  CallStateValue,
  CallType,
  LampMode,
  RingDuration,
  RingMode,
  SoftKeySetIndex,
  SpeakerMode,
  StimulusCode,
  type BlfStatus,
  type SccpMessage,
} from '../codec/index.js';
import type { BlfButton, BlfStyle } from './device-record.js';
import { clip } from './device-responses.js';

/** Identifies a call appearance on the phone. */
export interface CallRef {
  readonly lineInstance: number;
  readonly callReference: number;
}

/** A command for one device. */
export type DeviceCommand =
  | ({ kind: 'showRinging'; callingParty: string; callingPartyName?: string; calledParty?: string } & CallRef)
  | ({ kind: 'stopRinging' } & CallRef)
  | ({ kind: 'showCallState'; callState: number } & CallRef)
  | ({
      kind: 'showCallInfo'; callType: number; callingParty: string; callingPartyName?: string;
      calledParty: string; calledPartyName?: string;
    } & CallRef)
  | ({ kind: 'setRinger'; ringMode: number; ringDuration?: number } & CallRef)
  | { kind: 'setLamp'; stimulus: number; stimulusInstance: number; lampMode: number }
  | ({ kind: 'displayPrompt'; text: string; timeOutValue?: number } & CallRef)
  | ({ kind: 'clearPrompt' } & CallRef)
  | ({ kind: 'startTone'; tone: number } & CallRef)
  | ({ kind: 'stopTone' } & CallRef)
  | ({ kind: 'selectSoftKeys'; softKeySetIndex: number; validKeyMask?: number } & CallRef)
  | { kind: 'activateCallPlane'; lineInstance: number }
  | { kind: 'setSpeakerMode'; on: boolean }
  | ({ kind: 'showDialedNumber'; dialedNumber: string } & CallRef)
  | { kind: 'setBlfStatus'; index: number; status: BlfStatus }
  | { kind: 'send'; message: SccpMessage };

/** Renders a stateless command (everything but setBlfStatus) as messages. */
export function renderCommand(cmd: Exclude<DeviceCommand, { kind: 'setBlfStatus' }>): SccpMessage[] {
  switch (cmd.kind) {
    case 'showRinging':
      return renderRinging(cmd);
    case 'stopRinging':
      return [ringer(RingMode.ringOff, cmd)];
    case 'showCallState':
      return [callState(cmd.callState, cmd)];
    case 'showCallInfo':
      return [callInfo(cmd)];
    case 'setRinger':
      return [ringer(cmd.ringMode, cmd, cmd.ringDuration)];
    case 'setLamp':
      return [buildFlat('SetLamp', { stimulus: cmd.stimulus, stimulusInstance: cmd.stimulusInstance, lampMode: cmd.lampMode })];
    case 'displayPrompt':
      return [buildFlat('DisplayPromptStatus', { timeOutValue: cmd.timeOutValue ?? 0, promptStatus: clip(cmd.text, 31), ...ref(cmd) })];
    case 'clearPrompt':
      return [buildFlat('ClearPromptStatus', ref(cmd))];
    case 'startTone':
      return [buildFlat('StartTone', { tone: cmd.tone, toneDirection: 0, ...ref(cmd) })];
    case 'stopTone':
      return [buildFlat('StopTone', ref(cmd))];
    case 'selectSoftKeys':
      return [buildFlat('SelectSoftKeys', { softKeySetIndex: cmd.softKeySetIndex, validKeyMask: cmd.validKeyMask ?? 0xffffffff, ...ref(cmd) })];
    case 'activateCallPlane':
      return [buildFlat('ActivateCallPlane', { lineInstance: cmd.lineInstance })];
    case 'setSpeakerMode':
      return [buildFlat('SetSpeakerMode', { speakerMode: cmd.on ? SpeakerMode.on : SpeakerMode.off })];
    case 'showDialedNumber':
      return [buildFlat('DialedNumber', { dialedNumber: clip(cmd.dialedNumber, 23), ...ref(cmd) })];
    case 'send':
      return [cmd.message];
  }
}

function ref(r: CallRef): CallRef {
  return { lineInstance: r.lineInstance, callReference: r.callReference };
}

function ringer(ringMode: number, r: CallRef, ringDuration: number = RingDuration.normalRing): SccpMessage {
  return buildFlat('SetRinger', { ringMode, ringDuration, ...ref(r) });
}

function callState(state: number, r: CallRef): SccpMessage {
  return buildFlat('CallState', { callState: state, ...ref(r), precedenceLevel: 4 });
}

function callInfo(cmd: Extract<DeviceCommand, { kind: 'showCallInfo' }>): SccpMessage {
  return buildFlat('CallInfo', {
    callingPartyName: clip(cmd.callingPartyName ?? '', 39),
    callingParty: clip(cmd.callingParty, 23),
    calledPartyName: clip(cmd.calledPartyName ?? '', 39),
    calledParty: clip(cmd.calledParty, 23),
    callType: cmd.callType,
    callInstance: cmd.callReference,
    ...ref(cmd),
  });
}

/** The incoming-call bundle of sccp-facts.md §7 "Incoming call". */
function renderRinging(cmd: Extract<DeviceCommand, { kind: 'showRinging' }>): SccpMessage[] {
  return [
    callState(CallStateValue.ringIn, cmd),
    buildFlat('SelectSoftKeys', { softKeySetIndex: SoftKeySetIndex.ringIn, validKeyMask: 0xffffffff, ...ref(cmd) }),
    buildFlat('DisplayPromptStatus', { promptStatus: clip(`\x80\x17${cmd.callingParty}`, 31), ...ref(cmd) }),
    callInfo({
      kind: 'showCallInfo', callType: CallType.inBound, callingParty: cmd.callingParty,
      callingPartyName: cmd.callingPartyName ?? '', calledParty: cmd.calledParty ?? '', ...ref(cmd),
    }),
    buildFlat('SetLamp', { stimulus: StimulusCode.line, stimulusInstance: cmd.lineInstance, lampMode: LampMode.blink }),
    ringer(RingMode.insideRing, cmd),
    buildFlat('ActivateCallPlane', { lineInstance: cmd.lineInstance }),
  ];
}

/** Line-lamp BLF rendering (§6.1): status → lamp mode and call state. */
export const LINE_LAMP_BLF: Readonly<Record<BlfStatus, { lampMode: number; callState: number }>> = {
  unknown: { lampMode: LampMode.flash, callState: CallStateValue.onHook },
  idle: { lampMode: LampMode.off, callState: CallStateValue.onHook },
  inUse: { lampMode: LampMode.on, callState: CallStateValue.callRemoteMultiline },
  dnd: { lampMode: LampMode.on, callState: CallStateValue.callRemoteMultiline },
  alerting: { lampMode: LampMode.blink, callState: CallStateValue.ringIn },
};

/** Renders a BLF status for one button (Rule 2). */
export function renderBlfStatus(
  style: BlfStyle,
  button: BlfButton,
  status: BlfStatus,
  previous: BlfStatus | undefined,
  dynamic: boolean,
): SccpMessage[] {
  if (style === 'feature-status') {
    const common = { featureIndex: button.instance, featureID: StimulusCode.blfSpeedDial, featureStatus: BlfStatusValue[status] };
    return dynamic
      ? [{ type: 'FeatureStatV2Res', ...common, featureTextLabel: clip(button.label, 120) }]
      : [buildFlat('FeatureStatRes', { ...common, featureTextLabel: clip(button.label, 39) })];
  }
  const look = LINE_LAMP_BLF[status];
  const r = { lineInstance: button.instance, callReference: 0 };
  const congestion = previous === 'alerting' && status !== 'alerting' ? [callState(CallStateValue.congestion, r)] : [];
  return [
    ...congestion,
    buildFlat('SetLamp', { stimulus: StimulusCode.line, stimulusInstance: button.instance, lampMode: look.lampMode }),
    callState(look.callState, r),
  ];
}
