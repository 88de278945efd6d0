/**
 * Emulated Skinny phone (station side) for tests and load rigs: connects over TCP, registers like a
 * 79xx (RegisterReq → answers CapabilitiesReq → asks for button template, soft keys, line / speed
 * dial / forward / feature status, time), keeps alive, goes off/on hook, dials, answers, hangs up,
 * and keeps what the CM showed it (lamps, ringer, call state, prompt, tones, BLF status per button).
 *
 * Rule 1: every PDU is one `socket.write()` (sccp-facts.md §1.3).
 * Rule 2: observable state is plain data (`phone.view`); `waitFor(predicate, timeoutMs)` re-checks it
 * after every received message and rejects on timeout. Only the last `historyLimit` messages are kept.
 */
import { connect, type Socket } from 'node:net';
import {
  BlfStatusValue,
  buildFlat,
  encode,
  FrameDecoder,
  keypadButtonOf,
  LampMode,
  PayloadCapability,
  StimulusCode,
  type BlfStatus,
  type ButtonDefinition,
  type SccpMessage,
} from '../sccp/index.js';

/** Options of an emulated phone. */
export interface SccpPhoneOptions {
  readonly host: string;
  readonly port: number;
  /** e.g. `SEP001122334455`. */
  readonly deviceName: string;
  /** Register deviceType (default 7 = 7960). */
  readonly deviceType?: number;
  /** Register protocolVer (default 11; ≥ 15 gets BLF as feature-status buttons). */
  readonly protocolVersion?: number;
  /** Station IP put in RegisterReq (default 127.0.0.1). */
  readonly stationIp?: string;
  /** Send KeepAliveReq every this many ms (default: the RegisterAck interval; 0 = never). */
  readonly keepAliveMs?: number;
  /**
   * Protocol < 15 only: how many trailing Line buttons of the template are BLF speed dials (a real
   * phone cannot tell them apart either; the rig needs it to report `view.blf` per line instance).
   */
  readonly legacyBlfButtons?: number;
  /** Messages kept in `history` (default 200). */
  readonly historyLimit?: number;
  /** RTP port reported with IpPort (0x0002) before CapabilitiesRes; unset = no IpPort. */
  readonly rtpPort?: number;
}

/** What the phone currently shows. */
export interface SccpPhoneView {
  registered: boolean;
  rejected: string | undefined;
  keepAliveInterval: number;
  buttons: ButtonDefinition[];
  /** LineStatRes by line number. */
  lines: Map<number, { dn: string; label: string }>;
  speedDials: Map<number, { dn: string; label: string }>;
  /** lamp mode by `${stimulus}:${instance}`. */
  lamps: Map<string, number>;
  ringMode: number;
  /** last CallState per line instance. */
  callStates: Map<number, { callState: number; callReference: number }>;
  prompt: string;
  tone: number | undefined;
  softKeySet: number | undefined;
  speakerOn: boolean;
  /** BLF status per BLF button instance (feature-status style) or per line instance (line-lamp style). */
  blf: Map<number, BlfStatus>;
  keepAliveAcks: number;
  unregistered: boolean;
  closed: boolean;
}

const BLF_BY_VALUE = new Map<number, BlfStatus>(Object.entries(BlfStatusValue).map(([k, v]) => [v, k as BlfStatus]));
/** Line-lamp style BLF: lamp mode → status (the CM's mapping, sccp-facts.md §6.1). */
const BLF_BY_LAMP = new Map<number, BlfStatus>([
  [LampMode.off, 'idle'], [LampMode.on, 'inUse'], [LampMode.blink, 'alerting'], [LampMode.flash, 'unknown'],
]);

/** One emulated phone. */
export class SccpPhone {
  readonly view: SccpPhoneView = {
    registered: false, rejected: undefined, keepAliveInterval: 0, buttons: [], lines: new Map(), speedDials: new Map(),
    lamps: new Map(), ringMode: 1, callStates: new Map(), prompt: '', tone: undefined, softKeySet: undefined,
    speakerOn: false, blf: new Map(), keepAliveAcks: 0, unregistered: false, closed: false,
  };
  /** Last messages received, oldest first. */
  readonly history: SccpMessage[] = [];
  /** Last messages sent, oldest first. */
  readonly sent: SccpMessage[] = [];
  private socket: Socket | undefined;
  private readonly decoder = new FrameDecoder();
  private readonly waiters = new Set<() => void>();
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private readonly pendingRequests = new Set<string>();

  constructor(readonly options: SccpPhoneOptions) {}

  /** Opens the TCP connection. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.options.host, port: this.options.port }, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined); // a reset shows up as 'close'
        resolve();
      });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.on('data', (chunk: Buffer) => this.receive(chunk));
      socket.on('close', () => this.onClose());
      this.socket = socket;
    });
  }

  /** Sends RegisterReq and completes the registration exchange; resolves when all answers are in. */
  async register(timeoutMs = 10_000): Promise<void> {
    const protocolVer = this.options.protocolVersion ?? 11;
    this.pendingRequests.add('CapabilitiesReq');
    this.send(buildFlat('RegisterReq', {
      deviceName: this.options.deviceName, instance: 1, stationIpAddr: this.options.stationIp ?? '127.0.0.1',
      deviceType: this.options.deviceType ?? 7, maxStreams: 5, protocolVer, maxNumberOfLines: 6,
      firmwareLoadName: protocolVer >= 15 ? 'SCCP69xx.9-4-1' : 'P00308010200',
    }));
    await this.waitFor((v) => v.registered || v.rejected !== undefined || v.closed, timeoutMs);
    if (!this.view.registered) throw new Error(`registration failed: ${this.view.rejected ?? 'connection closed'}`);
    await this.waitFor((v) => this.pendingRequests.size === 0 || v.closed, timeoutMs);
    if (this.view.closed) throw new Error('connection closed during registration');
  }

  /** Goes off hook on a line (default line 1). */
  offHook(lineInstance = 1, callReference = 0): void {
    this.send(buildFlat('OffHook', { lineInstance, callReference }));
  }

  /** Goes on hook. */
  onHook(lineInstance = 1, callReference = this.callReferenceOf(lineInstance)): void {
    this.send(buildFlat('OnHook', { lineInstance, callReference }));
  }

  /** Dials digits one KeypadButton each (0-9 * # A-D +). */
  dial(digits: string, lineInstance = 1): void {
    for (const ch of digits) {
      const kpButton = keypadButtonOf(ch);
      if (kpButton === undefined) throw new Error(`cannot dial "${ch}"`);
      this.send(buildFlat('KeypadButton', { kpButton, lineInstance, callReference: this.callReferenceOf(lineInstance) }));
    }
  }

  /** Answers the ringing call on a line by going off hook with its call reference. */
  answer(lineInstance = 1): void {
    this.offHook(lineInstance, this.callReferenceOf(lineInstance));
  }

  /** Hangs up (on hook). */
  hangUp(lineInstance = 1): void {
    this.onHook(lineInstance);
  }

  /** Presses a soft key. */
  softKey(softKeyEvent: number, lineInstance = 1): void {
    this.send(buildFlat('SoftKeyEvent', { softKeyEvent, lineInstance, callReference: this.callReferenceOf(lineInstance) }));
  }

  /** Presses a feature/line button. */
  stimulus(stimulus: number, stimulusInstance: number): void {
    this.send(buildFlat('Stimulus', { stimulus, stimulusInstance, callReference: 0, stimulusStatus: 0 }));
  }

  /** Sends one KeepAliveReq. */
  keepAlive(): void {
    this.send(buildFlat('KeepAliveReq'));
  }

  /** Sends UnregisterReq and waits for the ack. */
  async unregister(timeoutMs = 5_000): Promise<void> {
    this.send(buildFlat('UnregisterReq'));
    await this.waitFor((v) => v.unregistered || v.closed, timeoutMs);
  }

  /** Sends any message (tests use it for odd input). */
  send(msg: SccpMessage): void {
    this.sent.push(msg);
    if (this.sent.length > (this.options.historyLimit ?? 200)) this.sent.shift();
    this.sendRaw(encode(msg));
  }

  /** Writes raw bytes as they are (hostile-input tests). */
  sendRaw(bytes: Uint8Array): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(bytes); // Rule 1
  }

  /** Resolves when `predicate(view)` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (view: SccpPhoneView) => boolean, timeoutMs = 5_000): Promise<void> {
    if (predicate(this.view)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.view)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.options.deviceName}: waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Closes the connection. */
  close(): void {
    this.stopKeepAlive();
    this.socket?.destroy();
  }

  /** Lamp mode of a button (1 Off when never set). */
  lamp(stimulus: number, instance: number): number {
    return this.view.lamps.get(`${stimulus}:${instance}`) ?? LampMode.off;
  }

  /** The call reference shown on a line (0 when none). */
  callReferenceOf(lineInstance: number): number {
    return this.view.callStates.get(lineInstance)?.callReference ?? 0;
  }

  private receive(chunk: Uint8Array): void {
    // answers to one chunk leave in one writev (each PDU is still its own write(), Rule 1)
    this.socket?.cork();
    try {
      this.handleChunk(chunk);
    } finally {
      this.socket?.uncork();
    }
    for (const check of [...this.waiters]) check();
  }

  private handleChunk(chunk: Uint8Array): void {
    for (const r of this.decoder.push(chunk)) {
      if (!r.ok) continue;
      const msg = r.frame.message;
      this.history.push(msg);
      if (this.history.length > (this.options.historyLimit ?? 200)) this.history.shift();
      this.handle(msg);
    }
  }

  private handle(msg: SccpMessage): void {
    const v = this.view;
    switch (msg.type) {
      case 'RegisterAck':
        return this.onRegisterAck(msg.keepAliveInterval);
      case 'RegisterReject':
        v.rejected = msg.text;
        return;
      case 'CapabilitiesReq':
        return this.onCapabilitiesReq();
      case 'KeepAliveAck':
        v.keepAliveAcks++;
        return;
      case 'UnregisterAck':
        v.unregistered = true;
        v.registered = false;
        return;
      case 'ButtonTemplateRes':
        return this.onButtonTemplate(msg.buttons);
      case 'LineStatRes':
        v.lines.set(msg.lineNumber, { dn: msg.lineDirNumber, label: msg.lineTextLabel });
        return this.answered(`line:${msg.lineNumber}`);
      case 'SpeedDialStatRes':
        v.speedDials.set(msg.speedDialNumber, { dn: msg.speedDialDirNumber, label: msg.speedDialDisplayName });
        return this.answered(`sd:${msg.speedDialNumber}`);
      case 'FeatureStatRes':
      case 'FeatureStatV2Res':
        v.blf.set(msg.featureIndex, BLF_BY_VALUE.get(msg.featureStatus) ?? 'unknown');
        return this.answered(`feature:${msg.featureIndex}`);
      default:
        return this.handleCallMessage(msg);
    }
  }

  private handleCallMessage(msg: SccpMessage): void {
    const v = this.view;
    switch (msg.type) {
      case 'SetLamp':
        v.lamps.set(`${msg.stimulus}:${msg.stimulusInstance}`, msg.lampMode);
        if (msg.stimulus === StimulusCode.line && this.isLineLampBlf(msg.stimulusInstance)) {
          v.blf.set(msg.stimulusInstance, BLF_BY_LAMP.get(msg.lampMode) ?? 'unknown');
        }
        return;
      case 'SetRinger':
        v.ringMode = msg.ringMode;
        return;
      case 'CallState':
        v.callStates.set(msg.lineInstance, { callState: msg.callState, callReference: msg.callReference });
        return;
      case 'DisplayPromptStatus':
        v.prompt = msg.promptStatus;
        return;
      case 'ClearPromptStatus':
        v.prompt = '';
        return;
      case 'StartTone':
        v.tone = msg.tone;
        return;
      case 'StopTone':
        v.tone = undefined;
        return;
      case 'SelectSoftKeys':
        v.softKeySet = msg.softKeySetIndex;
        return;
      case 'SetSpeakerMode':
        v.speakerOn = msg.speakerMode === 1;
        return;
      case 'ForwardStatRes':
        return this.answered(`fwd:${msg.lineNumber}`);
      case 'SoftKeyTemplateRes':
      case 'SoftKeySetRes':
      case 'TimeDateRes':
        return this.answered(msg.type);
      default:
        return;
    }
  }

  /** Line instances that are BLF buttons (line-lamp style), from `legacyBlfButtons`. */
  private readonly blfLineInstances = new Set<number>();

  private isLineLampBlf(instance: number): boolean {
    return this.blfLineInstances.has(instance);
  }

  private onRegisterAck(keepAliveInterval: number): void {
    this.view.registered = true;
    this.view.keepAliveInterval = keepAliveInterval;
    const every = this.options.keepAliveMs ?? keepAliveInterval * 1000;
    if (every > 0) {
      this.keepAliveTimer = setInterval(() => this.keepAlive(), every);
      this.keepAliveTimer.unref();
    }
  }

  private onCapabilitiesReq(): void {
    if (this.options.rtpPort !== undefined) this.send(buildFlat('IpPort', { rtpMediaPort: this.options.rtpPort }));
    this.send({ type: 'CapabilitiesRes', capabilities: [
      { payloadCapability: PayloadCapability.g711Ulaw, maxFramesPerPacket: 40, param1: 0, param2: 0 },
      { payloadCapability: PayloadCapability.g729, maxFramesPerPacket: 60, param1: 0, param2: 0 },
    ] });
    this.answered('CapabilitiesReq');
    for (const [req, key] of [[buildFlat('ButtonTemplateReq'), 'buttons'], [buildFlat('SoftKeyTemplateReq'), 'SoftKeyTemplateRes'],
      [buildFlat('SoftKeySetReq'), 'SoftKeySetRes'], [buildFlat('TimeDateReq'), 'TimeDateRes']] as const) {
      this.pendingRequests.add(key);
      this.send(req);
    }
  }

  /** After the template: one stat request per button, as phones do (§7 Registration). */
  private onButtonTemplate(buttons: ButtonDefinition[]): void {
    this.view.buttons = buttons;
    const dynamic = (this.options.protocolVersion ?? 11) >= 15;
    const lines = buttons.filter((b) => b.buttonDefinition === StimulusCode.line);
    const realLines = lines.length - (dynamic ? 0 : this.options.legacyBlfButtons ?? 0);
    for (const b of buttons) {
      if (b.buttonDefinition === StimulusCode.line) {
        if (b.instanceNumber > realLines) this.blfLineInstances.add(b.instanceNumber);
        this.request(`line:${b.instanceNumber}`, buildFlat('LineStatReq', { lineNumber: b.instanceNumber }));
      } else if (b.buttonDefinition === StimulusCode.speedDial) {
        this.request(`sd:${b.instanceNumber}`, buildFlat('SpeedDialStatReq', { speedDialNumber: b.instanceNumber }));
      } else if (b.buttonDefinition === StimulusCode.blfSpeedDial) {
        this.request(`feature:${b.instanceNumber}`, buildFlat('FeatureStatReq', { featureIndex: b.instanceNumber, featureCapabilities: 0 }));
      }
    }
    this.request('fwd:1', buildFlat('ForwardStatReq', { lineNumber: 1 }));
    this.send(buildFlat('RegisterAvailableLines', { maxNumOfAvailLines: Math.max(1, realLines) }));
    this.answered('buttons');
  }

  private request(key: string, msg: SccpMessage): void {
    this.pendingRequests.add(key);
    this.send(msg);
  }

  private answered(key: string): void {
    this.pendingRequests.delete(key);
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
  }

  private onClose(): void {
    this.stopKeepAlive();
    this.view.closed = true;
    this.view.registered = false;
    for (const check of [...this.waiters]) check();
  }
}
