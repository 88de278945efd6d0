/**
 * State, inputs, effects and shared helpers of the device session FSM (device-session.ts holds the
 * transition table, session-handlers.ts the handlers).
 */
import type { SccpRemoteError } from '../errors.js';
import { isStationMessage, messageIdOf, type BlfStatus, type DecodedFrame, type SccpMessage } from '../codec/index.js';
import type { DeviceCommand } from './device-commands.js';
import type { ButtonLayout, SccpDeviceLookup, SccpDeviceRecord } from './device-record.js';

/** Session configuration (all times explicit; style.md §8). */
export interface SessionConfig {
  /** Directory lookup for RegisterReq. */
  readonly lookup: SccpDeviceLookup;
  /** keepAliveInterval told to the phone in RegisterAck, seconds. */
  readonly keepAliveIntervalS: number;
  /** Session dropped after keepAliveIntervalS × this without any message (chan_skinny: 3). */
  readonly keepAliveMissFactor: number;
  /** Register (and answer CapabilitiesReq) within this many ms of connecting (chan_skinny: 30 s). */
  readonly registerTimeoutMs: number;
  /** Messages tolerated before RegisterReq (KeepAlive included). */
  readonly maxPreRegisterMessages: number;
  /** Unknown / undecodable / wrong-direction frames tolerated per connection. */
  readonly maxBadFrames: number;
  /** RegisterAck dateTemplate, e.g. `M/D/Y`. */
  readonly dateTemplate: string;
  /** Highest protocol version we offer in RegisterAck. */
  readonly maxProtocolVersion: number;
  /** serverName in ConfigStatRes. */
  readonly serverName: string;
}

/** What the session knows once a device sent an accepted RegisterReq. */
export interface DeviceInfo {
  readonly deviceName: string;
  readonly deviceType: number;
  readonly protocolVersion: number;
  readonly stationIp: string;
  readonly record: SccpDeviceRecord;
  readonly layout: ButtonLayout;
  readonly rtpPort: number | undefined;
  readonly capabilities: readonly number[];
  /** Last BLF status per BLF index, as set by the adapter. */
  readonly blfStatus: ReadonlyMap<number, BlfStatus>;
  /** BLF indexes whose FeatureStatReq asked for the dynamic (V2) answer. */
  readonly dynamicBlf: ReadonlySet<number>;
}

/** Session state; treat as immutable. */
export interface DeviceSessionState {
  readonly phase: 'connected' | 'registering' | 'registered' | 'closed';
  /** When the owner must tick next; undefined = none. */
  readonly deadline: number | undefined;
  readonly connectedAt: number;
  readonly preRegisterMessages: number;
  readonly badFrames: number;
  readonly device: DeviceInfo | undefined;
}

/** Input to the session. */
export type SessionInput =
  | { kind: 'frame'; frame: DecodedFrame }
  | { kind: 'bad-frame'; error: SccpRemoteError }
  | { kind: 'tick' }
  | { kind: 'closed' }
  | { kind: 'command'; command: DeviceCommand };

/** What the owner learns about a registered device. */
export interface RegisteredDevice {
  readonly deviceName: string;
  readonly deviceType: number;
  readonly protocolVersion: number;
  readonly stationIp: string;
  readonly rtpPort: number | undefined;
  /** payloadCapability codes from CapabilitiesRes, phone's order of preference. */
  readonly capabilities: readonly number[];
  readonly blfStyle: 'feature-status' | 'line-lamp';
}

/** Everything the session asks its owner to do or to report. */
export type SessionEffect =
  | { kind: 'send'; message: SccpMessage }
  | { kind: 'registered'; device: RegisteredDevice }
  | { kind: 'unregistered'; reason: string }
  | { kind: 'hook'; offHook: boolean; lineInstance: number; callReference: number }
  | { kind: 'digit'; digit: string; lineInstance: number; callReference: number }
  | { kind: 'stimulus'; stimulus: number; stimulusInstance: number; callReference: number; stimulusStatus: number }
  | { kind: 'softKey'; softKeyEvent: number; lineInstance: number; callReference: number }
  | { kind: 'log'; level: 'debug' | 'info' | 'warn'; text: string }
  | { kind: 'close'; reason: string };

/** Result of one step; `closing` marks a step that ended the session. */
export interface Step {
  readonly state: DeviceSessionState;
  readonly effects: SessionEffect[];
  readonly closing?: boolean;
}

/** A transition handler. */
export type Handler = (state: DeviceSessionState, input: SessionInput, now: number, config: SessionConfig) => Step;

/** A log effect. */
export function logOnly(level: 'debug' | 'info' | 'warn', text: string): SessionEffect {
  return { kind: 'log', level, text };
}

/** A send effect. */
export function send(message: SccpMessage): SessionEffect {
  return { kind: 'send', message };
}

/** Registered-phase liveness window, ms. */
export function keepAliveTimeoutMs(config: SessionConfig): number {
  return config.keepAliveIntervalS * config.keepAliveMissFactor * 1000;
}

/**
 * Ends the session: reports `unregistered` if the owner had been told `registered`, then `close`
 * (unless the peer already closed).
 */
export function closeSession(state: DeviceSessionState, reason: string, level: 'info' | 'warn', sendClose = true): Step {
  const effects: SessionEffect[] = [logOnly(level, `session closed: ${reason}`)];
  if (state.phase === 'registered') effects.push({ kind: 'unregistered', reason });
  if (sendClose) effects.push({ kind: 'close', reason });
  return { state: { ...state, phase: 'closed', deadline: undefined }, effects, closing: true };
}

/** Counts a bad frame or unwanted message (Rule 5); a fatal framing error closes at once. */
export function countBadFrame(state: DeviceSessionState, input: SessionInput, _now: number, config: SessionConfig): Step {
  const error = input.kind === 'bad-frame' ? input.error : undefined;
  if (error?.fatal) return closeSession(state, `framing error: ${error.detail}`, 'warn');
  const next = { ...state, badFrames: state.badFrames + 1 };
  if (next.badFrames > config.maxBadFrames) return closeSession(next, `too many bad frames (${next.badFrames})`, 'warn');
  return { state: next, effects: [logOnly('warn', `ignored bad frame: ${error?.detail ?? describeInput(input)}`)] };
}

/** Short text for a log line. */
export function describeInput(input: SessionInput): string {
  if (input.kind !== 'frame') return input.kind;
  const msg = input.frame.message;
  const id = messageIdOf(msg);
  const dir = isStationMessage(id) ? '' : ' (a CM→station id sent by a station)';
  return `${msg.type} 0x${id.toString(16).padStart(4, '0')}${dir}`;
}
