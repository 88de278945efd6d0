/**
 * What a Skinny phone is told at each step of a call, as device commands (sccp-facts.md §7, the
 * chan_skinny call flows). Pure: every bundle is a value a test can inspect before it is sent.
 */
import {
  CallStateValue, CallType, LampMode, SoftKeySetIndex, StimulusCode, Tone, type DeviceCommand,
} from '../../sccp/index.js';

/** A call appearance on the phone plus the parties shown. */
export interface ShownCall {
  readonly lineInstance: number;
  readonly callReference: number;
  /** the phone's own number and the other party's number/name */
  readonly own: string;
  readonly other: string;
  readonly otherName?: string;
}

const ref = (c: ShownCall) => ({ lineInstance: c.lineInstance, callReference: c.callReference });

function info(c: ShownCall, callType: number): DeviceCommand {
  const inbound = callType === CallType.inBound;
  return {
    kind: 'showCallInfo', callType, ...ref(c),
    callingParty: inbound ? c.other : c.own, callingPartyName: inbound ? c.otherName ?? '' : '',
    calledParty: inbound ? c.own : c.other, calledPartyName: inbound ? '' : c.otherName ?? '',
  };
}

/** Off hook: lamp on, call plane, dial tone, "Enter number". */
export function offHookCommands(c: ShownCall): DeviceCommand[] {
  return [
    { kind: 'setLamp', stimulus: StimulusCode.line, stimulusInstance: c.lineInstance, lampMode: LampMode.on },
    { kind: 'showCallState', callState: CallStateValue.offHook, ...ref(c) },
    { kind: 'activateCallPlane', lineInstance: c.lineInstance },
    { kind: 'startTone', tone: Tone.insideDialTone, ...ref(c) },
    { kind: 'selectSoftKeys', softKeySetIndex: SoftKeySetIndex.offHook, ...ref(c) },
    { kind: 'displayPrompt', text: '\x80\x20', ...ref(c) },
  ];
}

/** First digit: dial tone off, digits-following soft keys. */
export function firstDigitCommands(c: ShownCall): DeviceCommand[] {
  return [{ kind: 'stopTone', ...ref(c) }, { kind: 'selectSoftKeys', softKeySetIndex: SoftKeySetIndex.digitsFollowing, ...ref(c) }];
}

/** Digits complete: the call is placed. */
export function dialledCommands(c: ShownCall): DeviceCommand[] {
  return [
    { kind: 'stopTone', ...ref(c) },
    { kind: 'selectSoftKeys', softKeySetIndex: SoftKeySetIndex.ringOut, ...ref(c) },
    { kind: 'showDialedNumber', dialedNumber: c.other, ...ref(c) },
  ];
}

/** Far end alerting: ringback. */
export function ringOutCommands(c: ShownCall): DeviceCommand[] {
  return [
    { kind: 'showCallState', callState: CallStateValue.proceed, ...ref(c) },
    { kind: 'startTone', tone: Tone.alertingTone, ...ref(c) },
    { kind: 'showCallState', callState: CallStateValue.ringOut, ...ref(c) },
    { kind: 'displayPrompt', text: '\x80\x16', ...ref(c) },
    info(c, CallType.outBound),
  ];
}

/** Answered (either direction). */
export function connectedCommands(c: ShownCall, inbound: boolean): DeviceCommand[] {
  return [
    ...(inbound ? [
      { kind: 'stopRinging', ...ref(c) } as DeviceCommand,
      { kind: 'setLamp', stimulus: StimulusCode.line, stimulusInstance: c.lineInstance, lampMode: LampMode.on } as DeviceCommand,
      { kind: 'showCallState', callState: CallStateValue.offHook, ...ref(c) } as DeviceCommand,
      { kind: 'activateCallPlane', lineInstance: c.lineInstance } as DeviceCommand,
    ] : []),
    { kind: 'stopTone', ...ref(c) },
    info(c, inbound ? CallType.inBound : CallType.outBound),
    { kind: 'showCallState', callState: CallStateValue.connected, ...ref(c) },
    { kind: 'displayPrompt', text: '\x80\x18', ...ref(c) },
    { kind: 'selectSoftKeys', softKeySetIndex: SoftKeySetIndex.connected, ...ref(c) },
  ];
}

/** The call failed: busy (486/600) or reorder. */
export function failedCommands(c: ShownCall, status: number): DeviceCommand[] {
  const busy = status === 486 || status === 600;
  return [
    { kind: 'startTone', tone: busy ? Tone.lineBusyTone : Tone.reorderTone, ...ref(c) },
    { kind: 'showCallState', callState: busy ? CallStateValue.busy : CallStateValue.congestion, ...ref(c) },
  ];
}

/** Incoming call: the ringing bundle. */
export function ringInCommands(c: ShownCall): DeviceCommand[] {
  return [{ kind: 'showRinging', callingParty: c.other, callingPartyName: c.otherName ?? '', calledParty: c.own, ...ref(c) }];
}

/** The call is over (either side hung up, or ringing stopped). */
export function onHookCommands(c: ShownCall): DeviceCommand[] {
  return [
    { kind: 'stopTone', ...ref(c) },
    { kind: 'showCallState', callState: CallStateValue.onHook, ...ref(c) },
    { kind: 'clearPrompt', ...ref(c) },
    { kind: 'stopRinging', ...ref(c) },
    { kind: 'setLamp', stimulus: StimulusCode.line, stimulusInstance: c.lineInstance, lampMode: LampMode.off },
    { kind: 'selectSoftKeys', softKeySetIndex: SoftKeySetIndex.onHook, ...ref(c) },
  ];
}
