/**
 * Transition handlers of the device session FSM (the table is in device-session.ts; the Rules cited
 * are in its header). Each handler is pure: (state, input, now, config) → next state + effects.
 */
import { buildFlat, keypadChar, messageIdOf, isStationMessage, type SccpMessage, type SccpMessageOf } from '../codec/index.js';
import { renderBlfStatus, renderCommand } from './device-commands.js';
import { blfStyleFor, buildButtonLayout } from './device-record.js';
import {
  buttonTemplateFor,
  configStatFor,
  forwardStatFor,
  lineStatFor,
  softKeySets,
  softKeyTemplate,
  speedDialStatFor,
  timeDateFor,
} from './device-responses.js';
import {
  closeSession,
  countBadFrame,
  describeInput,
  logOnly,
  send,
  type DeviceInfo,
  type DeviceSessionState,
  type Handler,
  type SessionEffect,
  type Step,
} from './session-state.js';

function messageOf<T extends SccpMessage['type']>(input: Parameters<Handler>[1], type: T): SccpMessageOf<T> {
  if (input.kind !== 'frame' || input.frame.message.type !== type) throw new Error(`handler for ${type} got ${describeInput(input)}`);
  return input.frame.message as SccpMessageOf<T>;
}

function device(state: DeviceSessionState): DeviceInfo {
  if (!state.device) throw new Error(`phase ${state.phase} without a device`);
  return state.device;
}

function reply(state: DeviceSessionState, ...messages: SccpMessage[]): Step {
  return { state, effects: messages.map(send) };
}

/** Rule 1: RegisterReq → RegisterAck + CapabilitiesReq, or RegisterReject + close. */
export const onRegisterReq: Handler = (state, input, now, config) => {
  const req = messageOf(input, 'RegisterReq');
  const record = req.deviceName === '' ? undefined : config.lookup(req.deviceName, req.deviceType);
  if (!record) {
    const reject = send(buildFlat('RegisterReject', { text: 'Unknown device' }));
    const closed = closeSession(state, `unknown device "${req.deviceName}" (type ${req.deviceType})`, 'warn');
    return { ...closed, effects: [reject, ...closed.effects] };
  }
  const info: DeviceInfo = {
    deviceName: req.deviceName,
    deviceType: req.deviceType,
    protocolVersion: req.protocolVer,
    stationIp: req.stationIpAddr,
    record,
    layout: buildButtonLayout(record, req.protocolVer),
    rtpPort: undefined,
    capabilities: [],
    blfStatus: new Map(),
    dynamicBlf: new Set(),
  };
  const ack = buildFlat('RegisterAck', {
    keepAliveInterval: config.keepAliveIntervalS,
    dateTemplate: config.dateTemplate,
    secondaryKeepAliveInterval: config.keepAliveIntervalS,
    maxProtocolVer: Math.min(req.protocolVer, config.maxProtocolVersion),
  });
  const next: DeviceSessionState = { ...state, phase: 'registering', device: info, deadline: now + config.registerTimeoutMs };
  const effects = [logOnly('info', `${req.deviceName} registering (type ${req.deviceType}, protocol ${req.protocolVer}, BLF ${blfStyleFor(req.protocolVer)})`)];
  return { state: next, effects: [...effects, send(ack), send(buildFlat('CapabilitiesReq'))] };
};

/** Rule 3: KeepAliveReq is acked in every phase (before Register it still counts toward Rule 5). */
export const onKeepAlive: Handler = (state, input, now, config) => {
  if (state.phase !== 'connected') return reply(state, buildFlat('KeepAliveAck'));
  const counted = onPreRegisterMessage(state, input, now, config);
  if (counted.closing) return counted;
  return { state: counted.state, effects: [send(buildFlat('KeepAliveAck'))] };
};

/** Rule 5: messages before RegisterReq are counted and ignored; too many close the session. */
export const onPreRegisterMessage: Handler = (state, input, _now, config) => {
  const next = { ...state, preRegisterMessages: state.preRegisterMessages + 1 };
  if (next.preRegisterMessages > config.maxPreRegisterMessages) {
    return closeSession(next, `flood before registration (${next.preRegisterMessages} messages)`, 'warn');
  }
  const isKeepAlive = input.kind === 'frame' && input.frame.message.type === 'KeepAliveReq';
  return { state: next, effects: isKeepAlive ? [] : [logOnly('debug', `ignored before registration: ${describeInput(input)}`)] };
};

/** A command for a device that is not registered (a race with its departure): logged, ignored. */
export const onCommandUnregistered: Handler = (state, input) => {
  const what = input.kind === 'command' ? input.command.kind : input.kind;
  return { state, effects: [logOnly('debug', `command ${what} ignored in phase ${state.phase}`)] };
};

/** Default for messages not in a phase's row: unknown or wrong-direction ids are bad frames. */
const onOtherMessage: Handler = (state, input, now, config) => {
  const msg = input.kind === 'frame' ? input.frame.message : undefined;
  if (!msg || msg.type === 'Unknown' || !isStationMessage(messageIdOf(msg))) return countBadFrame(state, input, now, config);
  return { state, effects: [logOnly('debug', `ignored in phase ${state.phase}: ${describeInput(input)}`)] };
};

const onCapabilities: Handler = (state, input) => {
  const caps = messageOf(input, 'CapabilitiesRes').capabilities.map((c) => c.payloadCapability);
  const info = { ...device(state), capabilities: caps };
  if (state.phase === 'registered') return { state: { ...state, device: info }, effects: [] };
  const next: DeviceSessionState = { ...state, phase: 'registered', device: info };
  const { deviceName, deviceType, protocolVersion, stationIp, rtpPort, layout } = info;
  const registered: SessionEffect = {
    kind: 'registered',
    device: { deviceName, deviceType, protocolVersion, stationIp, rtpPort, capabilities: caps, blfStyle: layout.blfStyle },
  };
  return { state: next, effects: [logOnly('info', `${deviceName} registered`), registered] };
};

const onIpPort: Handler = (state, input) => {
  const port = messageOf(input, 'IpPort').rtpMediaPort;
  return { state: { ...state, device: { ...device(state), rtpPort: port } }, effects: [] };
};

const onUnregisterReq: Handler = (state) => {
  const closed = closeSession(state, 'unregistered by the phone', 'info');
  return { ...closed, effects: [send(buildFlat('UnregisterAck', { status: 0 })), ...closed.effects] };
};

const onLineStat: Handler = (state, input) => {
  const n = messageOf(input, 'LineStatReq').lineNumber;
  const d = device(state);
  const res = lineStatFor(d.record, d.layout, n);
  const blf = d.layout.blfStyle === 'line-lamp' ? d.layout.blf.find((b) => b.instance === n) : undefined;
  if (!blf) return reply(state, res);
  // a line-lamp BLF button shows its current status right after its LineStat
  const status = d.blfStatus.get(blf.index) ?? 'unknown';
  return reply(state, res, ...renderBlfStatus('line-lamp', blf, status, undefined, false));
};

const onFeatureStat: Handler = (state, input) => {
  const req = messageOf(input, 'FeatureStatReq');
  const d = device(state);
  const blf = d.layout.blfStyle === 'feature-status' ? d.layout.blf.find((b) => b.instance === req.featureIndex) : undefined;
  if (!blf) {
    return reply(state, buildFlat('FeatureStatRes', { featureIndex: req.featureIndex }));
  }
  const dynamic = (req.featureCapabilities & 1) === 1;
  const dynamicBlf = new Set(d.dynamicBlf);
  if (dynamic) dynamicBlf.add(blf.index);
  else dynamicBlf.delete(blf.index);
  const next = { ...state, device: { ...d, dynamicBlf } };
  return reply(next, ...renderBlfStatus('feature-status', blf, d.blfStatus.get(blf.index) ?? 'unknown', undefined, dynamic));
};

/** Requests answered from the directory record once RegisterReq was accepted (any order, §7). */
const STAT_HANDLERS: Record<string, Handler> = {
  KeepAliveReq: onKeepAlive,
  IpPort: onIpPort,
  CapabilitiesRes: onCapabilities,
  UnregisterReq: onUnregisterReq,
  ButtonTemplateReq: (s) => reply(s, buttonTemplateFor(device(s).layout)),
  LineStatReq: onLineStat,
  SpeedDialStatReq: (s, i) => reply(s, speedDialStatFor(device(s).record, messageOf(i, 'SpeedDialStatReq').speedDialNumber)),
  ForwardStatReq: (s, i) => reply(s, forwardStatFor(device(s).record, messageOf(i, 'ForwardStatReq').lineNumber)),
  ConfigStatReq: (s, _i, _n, c) => reply(s, configStatFor(device(s).deviceName, device(s).record, c.serverName)),
  FeatureStatReq: onFeatureStat,
  TimeDateReq: (s, _i, now) => reply(s, timeDateFor(now)),
  SoftKeyTemplateReq: (s) => reply(s, softKeyTemplate()),
  SoftKeySetReq: (s) =>
    reply(s, softKeySets(), buildFlat('SelectSoftKeys', { softKeySetIndex: 0, validKeyMask: 0xffffffff })),
  RegisterAvailableLines: (s) => ({ state: s, effects: [] }),
  RegisterReq: (s) => ({ state: s, effects: [logOnly('warn', `duplicate RegisterReq from ${device(s).deviceName} ignored`)] }),
  message: onOtherMessage,
  command: onCommandUnregistered,
};

/** Handlers while registering (RegisterAck sent, CapabilitiesRes awaited). */
export const REGISTERING_HANDLERS: Record<string, Handler> = { ...STAT_HANDLERS };

function effectOf(msg: SccpMessage): SessionEffect | undefined {
  switch (msg.type) {
    case 'OffHook':
    case 'OnHook':
      return { kind: 'hook', offHook: msg.type === 'OffHook', lineInstance: msg.lineInstance, callReference: msg.callReference };
    case 'KeypadButton': {
      const digit = keypadChar(msg.kpButton);
      return digit === undefined ? undefined : { kind: 'digit', digit, lineInstance: msg.lineInstance, callReference: msg.callReference };
    }
    case 'Stimulus':
      return { kind: 'stimulus', stimulus: msg.stimulus, stimulusInstance: msg.stimulusInstance, callReference: msg.callReference, stimulusStatus: msg.stimulusStatus };
    case 'SoftKeyEvent':
      return { kind: 'softKey', softKeyEvent: msg.softKeyEvent, lineInstance: msg.lineInstance, callReference: msg.callReference };
    default:
      return undefined;
  }
}

/** OffHook, OnHook, KeypadButton, Stimulus, SoftKeyEvent → the matching effect for the adapter. */
const onPhoneEvent: Handler = (state, input) => {
  const msg = input.kind === 'frame' ? input.frame.message : undefined;
  const effect = msg && effectOf(msg);
  return { state, effects: [effect ?? logOnly('warn', `ignored: ${describeInput(input)} with an unknown value`)] };
};

const onCommand: Handler = (state, input) => {
  if (input.kind !== 'command') throw new Error('command handler without a command');
  const cmd = input.command;
  if (cmd.kind !== 'setBlfStatus') return reply(state, ...renderCommand(cmd));
  const d = device(state);
  const button = d.layout.blf.find((b) => b.index === cmd.index);
  if (!button) return { state, effects: [logOnly('warn', `${d.deviceName} has no BLF speed dial ${cmd.index}`)] };
  const previous = d.blfStatus.get(cmd.index);
  const blfStatus = new Map(d.blfStatus).set(cmd.index, cmd.status);
  const messages = renderBlfStatus(d.layout.blfStyle, button, cmd.status, previous, d.dynamicBlf.has(cmd.index));
  return reply({ ...state, device: { ...d, blfStatus } }, ...messages);
};

/** Handlers while registered. */
export const REGISTERED_HANDLERS: Record<string, Handler> = {
  ...STAT_HANDLERS,
  OffHook: onPhoneEvent,
  OnHook: onPhoneEvent,
  KeypadButton: onPhoneEvent,
  Stimulus: onPhoneEvent,
  SoftKeyEvent: onPhoneEvent,
  command: onCommand,
};
