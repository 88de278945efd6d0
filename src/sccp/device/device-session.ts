/**
 * Device session FSM: one Skinny phone on one TCP connection, as a pure transition table over
 * `phase × input → handler` (h11 `_state.py` style). The owner (the TCP server) feeds it decoded
 * frames, ticks and adapter commands with `now`, and carries out the effects it returns.
 *
 * Phases: connected → (RegisterReq, known device) registering → (CapabilitiesRes) registered → closed.
 *   Rule 1: RegisterReq from an unknown device → RegisterReject + close (sccp-facts.md §3.1).
 *   Rule 2: `registered` is reported once the phone answered CapabilitiesReq (its codecs are then
 *           known); `unregistered` whenever a device that was reported registered goes away.
 *   Rule 3: KeepAliveReq is acked in every phase, even before Register (§1.4: 7985/6911 do this).
 *   Rule 4: no RegisterReq within `registerTimeoutMs`, no CapabilitiesRes within it after Register,
 *           or no message for keepAliveInterval × keepAliveMissFactor while registered → close
 *           (chan_skinny: auth_timeout 30 s; session dropped after 3 × keepalive).
 *   Rule 5: peer trouble is bounded: more than `maxPreRegisterMessages` before Register, or more than
 *           `maxBadFrames` unknown/undecodable/wrong-direction frames → close; a fatal framing error
 *           closes at once. Everything else odd is logged and ignored.
 *   Rule 6: any input in phase `closed` is our bug and throws.
 */
import { SccpStateError } from '../errors.js';
import type { BlfStatus, SccpMessage } from '../codec/index.js';
import type { SccpDeviceLookup } from './device-record.js';
import {
  onCommandUnregistered,
  onKeepAlive,
  onPreRegisterMessage,
  onRegisterReq,
  REGISTERED_HANDLERS,
  REGISTERING_HANDLERS,
} from './session-handlers.js';
import {
  closeSession,
  countBadFrame,
  keepAliveTimeoutMs,
  type DeviceSessionState,
  type Handler,
  type SessionConfig,
  type SessionInput,
  type Step,
} from './session-state.js';

/** Defaults of `SessionConfig`. */
export const DEFAULT_SESSION_CONFIG: Omit<SessionConfig, 'lookup'> = {
  keepAliveIntervalS: 30,
  keepAliveMissFactor: 3,
  registerTimeoutMs: 30_000,
  maxPreRegisterMessages: 20,
  maxBadFrames: 20,
  dateTemplate: 'M/D/Y',
  maxProtocolVersion: 17,
  serverName: 'blfgw',
};

/** A full config from a lookup and overrides. */
export function sessionConfig(lookup: SccpDeviceLookup, overrides: Partial<Omit<SessionConfig, 'lookup'>> = {}): SessionConfig {
  return { ...DEFAULT_SESSION_CONFIG, ...overrides, lookup };
}

/** A fresh session for a just-accepted connection; its first deadline is the register timeout. */
export function createDeviceSession(now: number, config: SessionConfig): DeviceSessionState {
  return {
    phase: 'connected',
    deadline: now + config.registerTimeoutMs,
    connectedAt: now,
    preRegisterMessages: 0,
    badFrames: 0,
    device: undefined,
  };
}

type InputKey = SccpMessage['type'] | 'bad-frame' | 'tick' | 'closed' | 'command' | 'message';

/** The transition table: phase × input → handler; `message` is the default for unlisted messages. */
const TABLE: Readonly<Record<DeviceSessionState['phase'], Partial<Record<InputKey, Handler>>>> = {
  connected: {
    RegisterReq: onRegisterReq, // Rule 1
    KeepAliveReq: onKeepAlive, // Rule 3
    message: onPreRegisterMessage, // Rule 5
    command: onCommandUnregistered,
    'bad-frame': countBadFrame,
    tick: onTick, // Rule 4
    closed: onClosed,
  },
  registering: { ...REGISTERING_HANDLERS, 'bad-frame': countBadFrame, tick: onTick, closed: onClosed },
  registered: { ...REGISTERED_HANDLERS, 'bad-frame': countBadFrame, tick: onTick, closed: onClosed },
  closed: {}, // Rule 6
};

/** One step of the FSM. Throws `SccpStateError` for an input the table has no row for (our bug). */
export function stepDeviceSession(state: DeviceSessionState, input: SessionInput, now: number, config: SessionConfig): Step {
  const row = TABLE[state.phase];
  const key: InputKey = input.kind === 'frame' ? input.frame.message.type : input.kind;
  const handler = row[key] ?? (input.kind === 'frame' ? row.message : undefined);
  if (!handler) throw new SccpStateError(`no transition for ${key} in phase ${state.phase}`);
  const step = handler(state, input, now, config);
  // Rule 4: while registered, any message from the phone proves it alive.
  if (input.kind === 'frame' && step.state.phase === 'registered' && !step.closing) {
    return { ...step, state: { ...step.state, deadline: now + keepAliveTimeoutMs(config) } };
  }
  return step;
}

/** When the owner must feed a `tick` next (undefined: no deadline). */
export function nextDeadline(state: DeviceSessionState): number | undefined {
  return state.deadline;
}

/** The last BLF status the adapter set for a button (default unknown). */
export function blfStatusOf(state: DeviceSessionState, index: number): BlfStatus {
  return state.device?.blfStatus.get(index) ?? 'unknown';
}

function onTick(state: DeviceSessionState, _input: SessionInput, now: number): Step {
  if (state.deadline === undefined || now < state.deadline) return { state, effects: [] };
  const reason = state.phase === 'registered' ? 'keepalive timeout' : `no registration before the deadline (${state.phase})`;
  return closeSession(state, reason, 'warn');
}

function onClosed(state: DeviceSessionState): Step {
  return closeSession(state, 'connection closed by peer', 'info', false);
}
