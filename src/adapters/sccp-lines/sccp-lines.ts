/**
 * The sccp-lines adapter (issue 5): Skinny phones as line devices of the gateway. It is the
 * `SccpTcpServer` delegate, turns registrations and hook/digit events into engine inputs, serves the
 * B2BUA's `LocalEndpointPort`, and shows line-state changes on SCCP BLF speed dials.
 *
 * Rule 1: RegisterReq is answered from the directory (sccp-directory.ts); the device is reported
 *         `registration: true` once the server says it registered, `false` when it unregisters,
 *         misses its keepalives or its TCP connection closes — its lines then turn unknown.
 * Rule 2: every `line-state-changed` effect updates the BLF speed dials of registered SCCP devices
 *         that follow that line (blf-watchers.ts); a device that registers gets all its BLF buttons
 *         at once from the last state seen per line (unknown when none was seen yet).
 * Rule 3: watches are re-decided when the directory snapshot changes (its `generation`).
 */
import type {
  CallEvent, Directory, LineKey, LineStateChanged, LocalEndpointPort, PlaceLocalCall, RegistrationChanged, BlfState,
} from '../../core/index.js';
import {
  SoftKeyEventCode, StimulusCode, type BlfStatus, type Clock, type DeviceCommand, type RegisteredDevice, type SccpServerDelegate,
} from '../../sccp/index.js';
import { BLF_STATUS_OF, blfWatchesOf, type BlfWatch } from './blf-watchers.js';
import { lookupSccpDevice } from './sccp-directory.js';
import { SccpLineCalls } from './sccp-line-calls.js';

export interface SccpLinesLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface SccpLinesDeps {
  readonly directory: () => Directory;
  /** the engine input sink */
  readonly submit: (input: RegistrationChanged | CallEvent) => void;
  /** sends a command to a registered device (the server's `command`) */
  readonly command: (device: string, command: DeviceCommand) => boolean;
  /** shows a BLF status (the server's `setBlfStatus`) */
  readonly setBlfStatus: (device: string, index: number, status: BlfStatus) => boolean;
  readonly clock: Clock;
  readonly logger: SccpLinesLogger;
}

interface Registered {
  readonly device: RegisteredDevice;
  watches: BlfWatch[];
  generation: number;
}

export class SccpLines {
  private readonly registered = new Map<string, Registered>();
  /** last aggregated state per line (Rule 2) */
  private readonly lineStates = new Map<LineKey, BlfState>();
  private readonly calls: SccpLineCalls;

  /** The B2BUA seam this adapter serves. */
  readonly port: LocalEndpointPort = {
    serves: (device) => this.registered.has(device),
    busy: (device) => this.calls.busy(device),
    ring: (appearance, offer, listener) => this.calls.ring(appearance, offer, listener),
  };

  constructor(private readonly deps: SccpLinesDeps) {
    this.calls = new SccpLineCalls({
      directory: deps.directory,
      submit: deps.submit,
      command: deps.command,
      clock: deps.clock,
      registered: (d) => this.registered.get(d)?.device,
      logger: deps.logger,
    });
  }

  /** Where calls dialled on SCCP phones go (the B2BUA); unset → 503 (reorder tone). */
  setPlaceCall(place: PlaceLocalCall | undefined): void {
    this.calls.placeCall = place;
  }

  /** The SccpTcpServer delegate. */
  delegate(): SccpServerDelegate {
    return {
      lookup: (name, type) => lookupSccpDevice(this.deps.directory(), name, type),
      onRegistered: (device) => this.onRegistered(device),
      onUnregistered: (name, reason) => this.onUnregistered(name, reason),
      onHook: (name, e) => (e.offHook ? this.calls.offHook(name, e.lineInstance) : this.calls.onHook(name)),
      onDigit: (name, e) => this.calls.digit(name, e.digit),
      onSoftKey: (name, e) => this.onSoftKey(name, e.softKeyEvent, e.lineInstance),
      onStimulus: (name, e) => {
        if (e.stimulus === StimulusCode.line) this.calls.offHook(name, e.stimulusInstance);
      },
      onLog: (level, text, context) => this.deps.logger[level](`sccp: ${text}`, context),
    };
  }

  /** Rule 2: a `line-state-changed` effect. */
  lineStateChanged(effect: LineStateChanged): void {
    this.lineStates.set(effect.line, effect.new);
    for (const [name, reg] of this.registered) {
      for (const w of this.watchesOf(name, reg)) if (w.line === effect.line) this.deps.setBlfStatus(name, w.index, BLF_STATUS_OF[effect.new]);
    }
  }

  /** Devices registered now. */
  registeredDevices(): string[] {
    return [...this.registered.keys()];
  }

  close(): void {
    this.calls.close();
  }

  private onRegistered(device: RegisteredDevice): void {
    const name = device.deviceName;
    const dir = this.deps.directory();
    const reg: Registered = { device, watches: blfWatchesOf(dir, name), generation: dir.generation };
    this.registered.set(name, reg);
    this.deps.logger.info('SCCP device registered', { device: name, protocol: device.protocolVersion, blf: device.blfStyle });
    this.deps.submit({ type: 'registration', device: name, registered: true });
    for (const w of reg.watches) {
      const state = w.line === null ? 'unknown' : this.lineStates.get(w.line) ?? 'unknown';
      this.deps.setBlfStatus(name, w.index, BLF_STATUS_OF[state]);
    }
  }

  private onUnregistered(name: string, reason: string): void {
    if (!this.registered.has(name)) return;
    this.calls.unregistered(name);
    this.registered.delete(name);
    this.deps.logger.info('SCCP device unregistered', { device: name, reason });
    this.deps.submit({ type: 'registration', device: name, registered: false });
  }

  private onSoftKey(name: string, event: number, lineInstance: number): void {
    switch (event) {
      case SoftKeyEventCode.newCall:
      case SoftKeyEventCode.answer:
        return this.calls.offHook(name, lineInstance);
      case SoftKeyEventCode.endCall:
        return this.calls.onHook(name);
      case SoftKeyEventCode.dial:
        return this.calls.dialNow(name);
      default:
        return this.deps.logger.debug('soft key ignored', { device: name, event });
    }
  }

  /** Rule 3. */
  private watchesOf(name: string, reg: Registered): readonly BlfWatch[] {
    const dir = this.deps.directory();
    if (reg.generation !== dir.generation) {
      reg.watches = blfWatchesOf(dir, name);
      reg.generation = dir.generation;
    }
    return reg.watches;
  }
}
