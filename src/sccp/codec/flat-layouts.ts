/**
 * Fixed-layout Skinny messages as data: message name → id and field list, header version 0
 * ("Basic" layouts of sccp-facts.md §3, every one decoded by tshark 4.0.17). One generic encoder and
 * decoder (flat-codec.ts) walk these tables; the TypeScript message types are derived from them, so a
 * layout and its type can never disagree.
 *
 * Rule 1: offsets are implicit (fields are contiguous, in order); the sum of field sizes is the
 * payload size we send.
 * Rule 2: `minLength` is the shortest payload we accept from a peer; fields past the end of a shorter
 * payload decode as 0 / "" (OffHook, KeypadButton, FeatureStatReq carry optional trailing fields, and
 * phones send shorter RegisterReq bodies than the 124 bytes we send). Longer payloads are accepted
 * and the excess ignored (chan_skinny pads several messages).
 */

/** A field: name and kind; `char`, `bytes` and `pad` carry their size. */
export type FieldSpec =
  | readonly [name: string, kind: 'u32' | 'u16' | 'u8' | 'ipv4']
  | readonly [name: string, kind: 'char' | 'bytes' | 'pad', size: number];

/** A fixed-layout message. */
export interface FlatLayout {
  readonly id: number;
  readonly fields: readonly FieldSpec[];
  readonly minLength?: number;
}

const u32 = <N extends string>(name: N) => [name, 'u32'] as const;
const char = <N extends string, S extends number>(name: N, size: S) => [name, 'char', size] as const;

/** Every fixed-layout message we speak, by tshark 4.0.17 name. */
export const FLAT_LAYOUTS = {
  // ---- station → CM (ids < 0x80) ----
  KeepAliveReq: { id: 0x0000, fields: [] },
  RegisterReq: {
    id: 0x0001,
    minLength: 32, // through deviceType
    fields: [
      char('deviceName', 16), u32('userId'), u32('instance'), ['stationIpAddr', 'ipv4'], u32('deviceType'),
      u32('maxStreams'), u32('activeStreams'), ['protocolVer', 'u8'], ['featureByte', 'u8'],
      ['phoneFeatures', 'u16'], u32('maxConferences'), u32('activeConferences'), ['macAddress', 'bytes', 12],
      u32('ipV4AddressScope'), u32('maxNumberOfLines'), ['stationIpV6Addr', 'bytes', 16],
      u32('ipV6AddressScope'), char('firmwareLoadName', 32),
    ],
  },
  IpPort: { id: 0x0002, fields: [u32('rtpMediaPort')] },
  KeypadButton: { id: 0x0003, minLength: 4, fields: [u32('kpButton'), u32('lineInstance'), u32('callReference')] },
  Stimulus: {
    id: 0x0005,
    minLength: 8,
    fields: [u32('stimulus'), u32('stimulusInstance'), u32('callReference'), u32('stimulusStatus')],
  },
  OffHook: { id: 0x0006, minLength: 0, fields: [u32('lineInstance'), u32('callReference')] },
  OnHook: { id: 0x0007, minLength: 0, fields: [u32('lineInstance'), u32('callReference')] },
  ForwardStatReq: { id: 0x0009, fields: [u32('lineNumber')] },
  SpeedDialStatReq: { id: 0x000a, fields: [u32('speedDialNumber')] },
  LineStatReq: { id: 0x000b, fields: [u32('lineNumber')] },
  ConfigStatReq: { id: 0x000c, fields: [] },
  TimeDateReq: { id: 0x000d, fields: [] },
  ButtonTemplateReq: { id: 0x000e, fields: [] },
  SoftKeySetReq: { id: 0x0025, fields: [] },
  SoftKeyEvent: { id: 0x0026, minLength: 4, fields: [u32('softKeyEvent'), u32('lineInstance'), u32('callReference')] },
  UnregisterReq: { id: 0x0027, fields: [] },
  SoftKeyTemplateReq: { id: 0x0028, fields: [] },
  RegisterAvailableLines: { id: 0x002d, fields: [u32('maxNumOfAvailLines')] },
  FeatureStatReq: { id: 0x0034, minLength: 4, fields: [u32('featureIndex'), u32('featureCapabilities')] },

  // ---- CM → station ----
  RegisterAck: {
    id: 0x0081,
    fields: [
      u32('keepAliveInterval'), char('dateTemplate', 6), ['alignmentPadding', 'pad', 2],
      u32('secondaryKeepAliveInterval'), ['maxProtocolVer', 'u8'], ['featureByte', 'u8'], ['phoneFeatures', 'u16'],
    ],
  },
  StartTone: { id: 0x0082, fields: [u32('tone'), u32('toneDirection'), u32('lineInstance'), u32('callReference')] },
  StopTone: { id: 0x0083, fields: [u32('lineInstance'), u32('callReference')] },
  SetRinger: { id: 0x0085, fields: [u32('ringMode'), u32('ringDuration'), u32('lineInstance'), u32('callReference')] },
  SetLamp: { id: 0x0086, fields: [u32('stimulus'), u32('stimulusInstance'), u32('lampMode')] },
  SetSpeakerMode: { id: 0x0088, fields: [u32('speakerMode')] },
  CallInfo: {
    id: 0x008f,
    fields: [
      char('callingPartyName', 40), char('callingParty', 24), char('calledPartyName', 40), char('calledParty', 24),
      u32('lineInstance'), u32('callReference'), u32('callType'),
      char('originalCalledPartyName', 40), char('originalCalledParty', 24),
      char('lastRedirectingPartyName', 40), char('lastRedirectingParty', 24),
      u32('originalCdpnRedirectReason'), u32('lastRedirectingReason'),
      char('cgpnVoiceMailbox', 24), char('cdpnVoiceMailbox', 24), char('originalCdpnVoiceMailbox', 24),
      char('lastRedirectingVoiceMailbox', 24), u32('callInstance'), u32('callSecurityStatus'),
      u32('partyPIRestrictionBits'),
    ],
  },
  ForwardStatRes: {
    id: 0x0090,
    fields: [
      u32('activeForward'), u32('lineNumber'), u32('forwardAllActive'), char('forwardAllDirnum', 24),
      u32('forwardBusyActive'), char('forwardBusyDirnum', 24), u32('forwardNoAnswerActive'),
      char('forwardNoAnswerDirnum', 24),
    ],
  },
  SpeedDialStatRes: {
    id: 0x0091,
    fields: [u32('speedDialNumber'), char('speedDialDirNumber', 24), char('speedDialDisplayName', 40)],
  },
  LineStatRes: {
    id: 0x0092,
    fields: [
      u32('lineNumber'), char('lineDirNumber', 24), char('lineFullyQualifiedDisplayName', 40),
      char('lineTextLabel', 40), u32('lineDisplayOptions'),
    ],
  },
  ConfigStatRes: {
    id: 0x0093,
    fields: [
      char('deviceName', 16), u32('userId'), u32('instance'), char('userName', 40), char('serverName', 40),
      u32('numberLines'), u32('numberSpeedDials'),
    ],
  },
  TimeDateRes: {
    id: 0x0094,
    fields: [
      u32('year'), u32('month'), u32('dayOfWeek'), u32('day'), u32('hour'), u32('minute'), u32('second'),
      u32('milliseconds'), u32('systemTime'),
    ],
  },
  ClearDisplay: { id: 0x009a, minLength: 0, fields: [['spare', 'pad', 4]] },
  CapabilitiesReq: { id: 0x009b, fields: [] },
  RegisterReject: { id: 0x009d, fields: [char('text', 32)] },
  KeepAliveAck: { id: 0x0100, fields: [] },
  SelectSoftKeys: {
    id: 0x0110,
    fields: [u32('lineInstance'), u32('callReference'), u32('softKeySetIndex'), u32('validKeyMask')],
  },
  CallState: {
    id: 0x0111,
    fields: [
      u32('callState'), u32('lineInstance'), u32('callReference'), u32('privacy'), u32('precedenceLevel'),
      u32('precedenceDomain'),
    ],
  },
  DisplayPromptStatus: {
    id: 0x0112,
    fields: [u32('timeOutValue'), char('promptStatus', 32), u32('lineInstance'), u32('callReference')],
  },
  ClearPromptStatus: { id: 0x0113, fields: [u32('lineInstance'), u32('callReference')] },
  ActivateCallPlane: { id: 0x0116, fields: [u32('lineInstance')] },
  UnregisterAck: { id: 0x0118, fields: [u32('status')] },
  DialedNumber: { id: 0x011d, fields: [char('dialedNumber', 24), u32('lineInstance'), u32('callReference')] },
  FeatureStatRes: {
    id: 0x011f,
    fields: [u32('featureIndex'), u32('featureID'), char('featureTextLabel', 40), u32('featureStatus')],
  },
} as const satisfies Record<string, FlatLayout>;

/** Name of a fixed-layout message. */
export type FlatMessageName = keyof typeof FLAT_LAYOUTS;

type ValueOf<K> = K extends 'char' | 'ipv4' ? string : K extends 'bytes' ? Uint8Array : number;
type FieldsOf<F extends readonly FieldSpec[]> = {
  -readonly [S in F[number] as S[1] extends 'pad' ? never : S[0]]: ValueOf<S[1]>;
};

/** The typed value of fixed-layout message `N`. */
export type FlatMessage<N extends FlatMessageName> = { type: N } & FieldsOf<(typeof FLAT_LAYOUTS)[N]['fields']>;

/** Byte size of a layout's payload as we send it. */
export function layoutSize(layout: FlatLayout): number {
  return layout.fields.reduce((sum, f) => sum + fieldSize(f), 0);
}

/** Byte size of one field. */
export function fieldSize(field: FieldSpec): number {
  switch (field[1]) {
    case 'u32':
    case 'ipv4':
      return 4;
    case 'u16':
      return 2;
    case 'u8':
      return 1;
    default:
      return field[2];
  }
}
