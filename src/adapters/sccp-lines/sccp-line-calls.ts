/**
 * Calls on Skinny phones (issue 5; sccp-facts.md §7): hook state, digit collection and the call
 * legs the B2BUA connects (`PlaceLocalCall` out, `LocalEndpointPort.ring` in).
 *
 * Rule 1: off-hook makes the line busy at once: a `trying` dialog (initiator) on the appearance;
 *         it then moves early (far end alerting) → confirmed → terminated as a SIP caller's does.
 *         A ringing phone shows `early` (recipient) → confirmed → terminated.
 * Rule 2: one event per visible change (a repeated state emits nothing), so watchers get one
 *         NOTIFY per step.
 * Rule 3: digits are collected until digit-analysis.ts says complete or invalid, `#` is pressed,
 *         or the inter-digit timeout (T302, `interDigitTimeoutMs`) runs out.
 * Rule 4: one call per device (one handset): a busy device refuses to ring (→ 486 at the B2BUA).
 * Rule 5: callbacks from the far side for a call that is no longer current are ignored.
 */
import type {
  AppearanceRef, CallEvent, CallLegControl, CallLegListener, Directory, Identity, LineDialog, LocalCallOffer, PlaceLocalCall,
} from '../../core/index.js';
import type { Clock, ClockTimer, DeviceCommand, RegisteredDevice } from '../../sccp/index.js';
import { analyseDigits } from './digit-analysis.js';
import { appearanceOf, identityOf, lineInstanceOf, sdpFor } from './sccp-directory.js';
import {
  connectedCommands, dialledCommands, failedCommands, firstDigitCommands, offHookCommands, onHookCommands, ringInCommands,
  ringOutCommands, type ShownCall,
} from './phone-commands.js';

export interface SccpCallsDeps {
  readonly directory: () => Directory;
  readonly submit: (event: CallEvent) => void;
  readonly command: (device: string, command: DeviceCommand) => boolean;
  readonly clock: Clock;
  /** the registered device's report (station IP, RTP port, codecs) */
  readonly registered: (device: string) => RegisteredDevice | undefined;
  readonly logger: { info(message: string, fields?: Record<string, unknown>): void };
}

type Phase = 'dialing' | 'placing' | 'ringback' | 'ringing' | 'connected' | 'failed';
type Termination = NonNullable<LineDialog['terminationEvent']>;

interface SccpCall {
  readonly device: string;
  readonly appearance: AppearanceRef;
  readonly direction: LineDialog['direction'];
  readonly shown: ShownCall & { other: string };
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly local: Identity;
  remote: Identity;
  phase: Phase;
  digits: string;
  timer?: ClockTimer;
  /** outgoing: the B2BUA's control of the far side; incoming: the B2BUA's listener */
  control?: CallLegControl;
  peer?: CallLegListener;
  lastShown?: LineDialog['state'];
}

export class SccpLineCalls {
  private readonly calls = new Map<string, SccpCall>();
  private seq = 0;
  placeCall: PlaceLocalCall | undefined;

  constructor(private readonly deps: SccpCallsDeps) {}

  busy(device: string): boolean {
    return this.calls.has(device);
  }

  /** OffHook (or Answer / NewCall soft key): answer a ringing call, else start dialling. */
  offHook(device: string, lineInstance: number): void {
    const call = this.calls.get(device);
    if (call?.phase === 'ringing') return this.answer(call);
    if (call) return;
    const dir = this.deps.directory();
    const app = appearanceOf(dir, device, lineInstance || 1);
    if (!app) return this.deps.logger.info('off hook on a line the device does not carry', { device, lineInstance });
    const ref = this.nextRef();
    const started = this.newCall(device, app.ref, 'initiator', lineInstance || 1, ref, { uri: `sip:${dir.params.domain}` }, this.callIdFor(device, ref), identityOf(dir, app.la), app.la.dn);
    started.phase = 'dialing';
    this.send(started, offHookCommands(started.shown));
    this.emit(started, 'trying');
  }

  /** Rule 3. */
  digit(device: string, digit: string): void {
    const call = this.calls.get(device);
    if (call?.phase !== 'dialing') return;
    if (digit === '#' && call.digits !== '') return this.dial(call);
    if (call.digits === '') this.send(call, firstDigitCommands(call.shown));
    call.digits += digit;
    const dir = this.deps.directory();
    const device_ = dir.devices.get(device);
    const verdict = device_ ? analyseDigits(dir, device_, call.digits) : 'invalid';
    if (verdict === 'complete' || verdict === 'invalid') return this.dial(call);
    this.arm(call, dir.params.interDigitTimeoutMs);
  }

  /** The Dial soft key: dial what was collected. */
  dialNow(device: string): void {
    const call = this.calls.get(device);
    if (call?.phase === 'dialing' && call.digits !== '') this.dial(call);
  }

  /** OnHook / EndCall. */
  onHook(device: string): void {
    const call = this.calls.get(device);
    if (!call) return;
    this.drop(call);
    this.send(call, onHookCommands(call.shown));
    switch (call.phase) {
      case 'dialing':
        return this.emit(call, 'terminated', 'cancelled');
      case 'placing':
      case 'ringback':
        this.emit(call, 'terminated', 'cancelled');
        return call.control?.end('cancelled');
      case 'connected':
        this.emit(call, 'terminated', 'local-bye');
        call.control?.end('hung-up');
        return call.peer?.onHungUp();
      case 'ringing':
        this.emit(call, 'terminated', 'rejected');
        return call.peer?.onFailed(486, 'Busy Here');
      case 'failed':
        return;
    }
  }

  /** The device is gone (keepalive timeout, TCP close): its call ends. */
  unregistered(device: string): void {
    const call = this.calls.get(device);
    if (!call) return;
    this.drop(call);
    this.emit(call, 'terminated', 'error');
    if (call.phase === 'connected') {
      call.control?.end('hung-up');
      call.peer?.onHungUp();
    } else if (call.phase === 'ringing') call.peer?.onFailed(480, 'Temporarily Unavailable');
    else call.control?.end('cancelled');
  }

  /** `LocalEndpointPort.ring` (Rule 4). */
  ring(app: AppearanceRef, offer: LocalCallOffer, listener: CallLegListener): CallLegControl | undefined {
    if (this.calls.has(app.device) || !this.deps.registered(app.device)) return undefined;
    const dir = this.deps.directory();
    const lineInstance = lineInstanceOf(dir, app);
    const found = appearanceOf(dir, app.device, lineInstance);
    if (!found) return undefined;
    const other = /^sips?:([^@;]+)@/.exec(offer.caller.uri)?.[1] ?? offer.caller.uri;
    const call = this.newCall(app.device, app, 'recipient', lineInstance, this.nextRef(), offer.caller, offer.callId, identityOf(dir, found.la), other, offer.caller.display);
    call.phase = 'ringing';
    call.peer = listener;
    this.send(call, ringInCommands(call.shown));
    this.emit(call, 'early');
    listener.onAlerting();
    return { end: () => this.endedByPeer(call) };
  }

  /** Shutdown. */
  close(): void {
    for (const call of this.calls.values()) if (call.timer) this.deps.clock.clearTimer(call.timer);
    this.calls.clear();
  }

  private answer(call: SccpCall): void {
    call.phase = 'connected';
    this.send(call, connectedCommands(call.shown, true));
    this.emit(call, 'confirmed');
    call.peer?.onAnswered(this.sdpOf(call));
  }

  private dial(call: SccpCall): void {
    if (call.timer) this.deps.clock.clearTimer(call.timer);
    call.timer = undefined;
    const dir = this.deps.directory();
    call.phase = 'placing';
    call.remote = { uri: `sip:${call.digits}@${dir.params.domain}` };
    (call.shown as { other: string }).other = call.digits;
    this.send(call, dialledCommands(call.shown));
    const listener = this.outgoingListener(call);
    if (!this.placeCall) return listener.onFailed(503, 'Service Unavailable');
    const control = this.placeCall({ appearance: call.appearance, dialled: call.digits, callId: call.callId, caller: call.local, sdp: this.sdpOf(call) }, listener);
    if (this.calls.get(call.device) === call) call.control = control;
  }

  private outgoingListener(call: SccpCall): CallLegListener {
    const current = (...phases: Phase[]) => this.calls.get(call.device) === call && phases.includes(call.phase); // Rule 5
    return {
      onAlerting: () => {
        if (!current('placing')) return;
        call.phase = 'ringback';
        this.send(call, ringOutCommands(call.shown));
        this.emit(call, 'early');
      },
      onAnswered: () => {
        if (!current('placing', 'ringback')) return;
        call.phase = 'connected';
        this.send(call, connectedCommands(call.shown, false));
        this.emit(call, 'confirmed');
      },
      onFailed: (status) => {
        if (!current('placing', 'ringback')) return;
        call.phase = 'failed';
        this.send(call, failedCommands(call.shown, status));
        this.emit(call, 'terminated', 'rejected');
      },
      onHungUp: () => {
        if (current('connected')) this.endedByPeer(call);
      },
    };
  }

  /** The far side cancelled a ringing call or hung up a connected one. */
  private endedByPeer(call: SccpCall): void {
    if (this.calls.get(call.device) !== call) return;
    this.drop(call);
    this.send(call, onHookCommands(call.shown));
    this.emit(call, 'terminated', call.phase === 'connected' ? 'remote-bye' : 'cancelled');
  }

  private arm(call: SccpCall, ms: number): void {
    if (call.timer) this.deps.clock.clearTimer(call.timer);
    call.timer = this.deps.clock.setTimer(ms, () => {
      call.timer = undefined;
      if (this.calls.get(call.device) === call && call.phase === 'dialing') this.dial(call);
    });
  }

  private drop(call: SccpCall): void {
    if (call.timer) this.deps.clock.clearTimer(call.timer);
    call.timer = undefined;
    if (this.calls.get(call.device) === call) this.calls.delete(call.device);
  }

  private newCall(
    device: string, appearance: AppearanceRef, direction: LineDialog['direction'], lineInstance: number, callReference: number,
    remote: Identity, callId: string, local: Identity, other: string, otherName?: string,
  ): SccpCall {
    const own = /^sips?:([^@;]+)@/.exec(local.uri)?.[1] ?? '';
    const call: SccpCall = {
      device, appearance, direction, callId, local, remote, phase: 'dialing', digits: '',
      shown: { lineInstance, callReference, own, other, ...(otherName ? { otherName } : {}) },
      localTag: `sccp${callReference.toString(16)}`, remoteTag: `gw${callReference.toString(16)}`,
    };
    this.calls.set(device, call);
    return call;
  }

  private nextRef(): number {
    this.seq = (this.seq % 0xffffff) + 1;
    return 0x1000000 + this.seq;
  }

  private callIdFor(device: string, ref: number): string {
    return `sccp-${ref.toString(16)}-${device}`;
  }

  private sdpOf(call: SccpCall): string {
    const reg = this.deps.registered(call.device);
    return reg ? sdpFor(reg, call.shown.callReference) : '';
  }

  private send(call: SccpCall, commands: readonly DeviceCommand[]): void {
    for (const c of commands) this.deps.command(call.device, c);
  }

  /** Rule 2. */
  private emit(call: SccpCall, state: LineDialog['state'], event?: Termination): void {
    if (call.lastShown === state) return;
    call.lastShown = state;
    this.deps.submit({
      type: 'call-event',
      appearance: call.appearance,
      dialog: {
        id: `${call.callId}:${call.appearance.device}`, callId: call.callId, localTag: call.localTag, remoteTag: call.remoteTag,
        direction: call.direction, state, ...(event && state === 'terminated' ? { terminationEvent: event } : {}),
        local: call.local, remote: call.remote,
      },
    });
  }
}
