/**
 * Skinny TCP server: the only file of `sccp/` doing I/O. Each accepted connection gets its own
 * `FrameDecoder` and device-session FSM; this file only moves bytes, runs deadlines on the injected
 * `Clock`, keeps the device-name registry and calls the delegate.
 *
 * Rule 1: every PDU is written with one `socket.write()` (tshark cannot reassemble a PDU whose first
 * segment is < 8 bytes; sccp-facts.md §1.3).
 * Rule 2: memory per connection is bounded: the decoder keeps < maxPduBytes, and a peer that does
 * not read (socket.writableLength > maxPendingWriteBytes) is dropped.
 * Rule 3: hostile input never throws out of a socket handler; the FSM decides between ignoring
 * (logged) and closing. Delegate exceptions are caught and logged at this edge.
 * Rule 4: a device name registers on one connection at a time; a new registration of the same name
 * replaces the old connection (the phone rebooted), which is reported unregistered first.
 * Rule 5: at most `maxConnections` connections; one more is logged and closed at once.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Clock, ClockTimer } from './clock.js';
import { encode, FrameDecoder, DEFAULT_MAX_PDU_BYTES, type BlfStatus } from './codec/index.js';
import {
  createDeviceSession,
  sessionConfig,
  stepDeviceSession,
  type DeviceCommand,
  type DeviceSessionState,
  type RegisteredDevice,
  type SccpDeviceLookup,
  type SessionConfig,
  type SessionEffect,
  type SessionInput,
} from './device/index.js';

/** Call appearance fields carried by phone events. */
export interface SccpCallEvent {
  readonly lineInstance: number;
  readonly callReference: number;
}

/** The adapter side of the server (SIP.js-style delegate: optional `on…` members). */
export interface SccpServerDelegate {
  /** Directory lookup for RegisterReq; undefined → RegisterReject. */
  readonly lookup: SccpDeviceLookup;
  onRegistered?(device: RegisteredDevice): void;
  onUnregistered?(deviceName: string, reason: string): void;
  onHook?(deviceName: string, event: SccpCallEvent & { offHook: boolean }): void;
  onDigit?(deviceName: string, event: SccpCallEvent & { digit: string }): void;
  onStimulus?(deviceName: string, event: { stimulus: number; stimulusInstance: number; callReference: number; stimulusStatus: number }): void;
  onSoftKey?(deviceName: string, event: SccpCallEvent & { softKeyEvent: number }): void;
  onLog?(level: 'debug' | 'info' | 'warn' | 'error', text: string, context: { remote: string; deviceName?: string }): void;
}

/** Server options; every key has a default. */
export interface SccpServerOptions {
  /** Listen address (default 0.0.0.0). */
  readonly host?: string;
  /** TCP port (default 2000; 0 = any free port). */
  readonly port?: number;
  /** Concurrent connections (default 5000). */
  readonly maxConnections?: number;
  /** Largest PDU accepted, bytes (default 2000, chan_skinny). */
  readonly maxPduBytes?: number;
  /** Unsent bytes tolerated per connection before dropping a peer that does not read (default 256 KiB). */
  readonly maxPendingWriteBytes?: number;
  /** Grace between a polite close (FIN) and a forced destroy, ms (default 2000). */
  readonly closeGraceMs?: number;
  /** Clock for deadlines (default: wall clock with real timers). */
  readonly clock?: Clock;
  /** Device-session settings (keepalive, register timeout, flood limits …). */
  readonly session?: Partial<Omit<SessionConfig, 'lookup'>>;
}

/** A wall clock with unref'd Node timers (one per server; no module-level state). */
export function createSystemClock(): Clock {
  let nextId = 1;
  const handles = new Map<number, NodeJS.Timeout>();
  return {
    now: () => Date.now(),
    setTimer(ms, fn) {
      const id = nextId++;
      const handle = setTimeout(() => {
        handles.delete(id);
        fn();
      }, ms);
      handle.unref();
      handles.set(id, handle);
      return { id };
    },
    clearTimer(timer) {
      clearTimeout(handles.get(timer.id));
      handles.delete(timer.id);
    },
  };
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  readonly remote: string;
  readonly decoder: FrameDecoder;
  state: DeviceSessionState;
  timer: ClockTimer | undefined;
  timerAt: number | undefined;
}

/** Skinny "CallManager" listener. */
export class SccpTcpServer {
  private readonly server: Server;
  private readonly clock: Clock;
  private readonly config: SessionConfig;
  private readonly connections = new Set<Connection>();
  private readonly registry = new Map<string, Connection>();
  private nextId = 1;

  constructor(
    private readonly options: SccpServerOptions,
    private readonly delegate: SccpServerDelegate,
  ) {
    this.clock = options.clock ?? createSystemClock();
    this.config = sessionConfig(delegate.lookup, options.session);
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', (err) => this.log('error', `listener error: ${err.message}`, { remote: '-' }));
  }

  /** Starts listening; resolves with the bound address. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 2000, this.options.host ?? '0.0.0.0', () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Bound port (after `listen`). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Names of registered devices. */
  registeredDevices(): string[] {
    return [...this.registry.keys()];
  }

  /** Bytes a connection's decoder holds back (tests prove Rule 2 with it). */
  bufferedBytes(): number[] {
    return [...this.connections].map((c) => c.decoder.bufferedBytes);
  }

  /** Sends a command to a registered device; false if it is not registered. */
  command(deviceName: string, command: DeviceCommand): boolean {
    const conn = this.registry.get(deviceName);
    if (!conn) return false;
    this.step(conn, { kind: 'command', command });
    return true;
  }

  /** Shows a BLF status on a device's BLF speed dial `index`. */
  setBlfStatus(deviceName: string, index: number, status: BlfStatus): boolean {
    return this.command(deviceName, { kind: 'setBlfStatus', index, status });
  }

  /** Stops listening and drops every connection (devices are reported unregistered). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const conn of [...this.connections]) {
      this.step(conn, { kind: 'closed' });
      conn.socket.destroy();
    }
    await closed;
  }

  private accept(socket: Socket): void {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    if (this.connections.size >= (this.options.maxConnections ?? 5000)) {
      this.log('warn', 'too many connections; closing', { remote });
      socket.destroy();
      return;
    }
    const conn: Connection = {
      id: this.nextId++,
      socket,
      remote,
      decoder: new FrameDecoder({ maxPduBytes: this.options.maxPduBytes ?? DEFAULT_MAX_PDU_BYTES }),
      state: createDeviceSession(this.clock.now(), this.config),
      timer: undefined,
      timerAt: undefined,
    };
    this.connections.add(conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(conn, chunk));
    socket.on('error', (err) => this.log('debug', `socket error: ${err.message}`, this.context(conn)));
    socket.on('close', () => this.forget(conn));
    this.arm(conn);
  }

  private receive(conn: Connection, chunk: Uint8Array): void {
    for (const result of conn.decoder.push(chunk)) {
      if (conn.state.phase === 'closed') return;
      this.step(conn, result.ok ? { kind: 'frame', frame: result.frame } : { kind: 'bad-frame', error: result.error });
    }
  }

  private forget(conn: Connection): void {
    if (conn.state.phase !== 'closed') this.step(conn, { kind: 'closed' });
    if (conn.timer) this.clock.clearTimer(conn.timer);
    this.connections.delete(conn);
  }

  private step(conn: Connection, input: SessionInput): void {
    if (conn.state.phase === 'closed') return;
    const { state, effects } = stepDeviceSession(conn.state, input, this.clock.now(), this.config);
    conn.state = state;
    // one write() per PDU (Rule 1); cork/uncork lets Node hand a step's PDUs to the kernel in one writev
    conn.socket.cork();
    try {
      for (const effect of effects) this.apply(conn, effect);
    } finally {
      conn.socket.uncork();
    }
    this.arm(conn);
  }

  /** One timer slot per connection; a later deadline reuses the armed timer (it re-arms on fire). */
  private arm(conn: Connection): void {
    const deadline = conn.state.phase === 'closed' ? undefined : conn.state.deadline;
    if (deadline === undefined) {
      if (conn.timer) this.clock.clearTimer(conn.timer);
      conn.timer = conn.timerAt = undefined;
      return;
    }
    if (conn.timer && conn.timerAt !== undefined && conn.timerAt <= deadline) return;
    if (conn.timer) this.clock.clearTimer(conn.timer);
    conn.timerAt = deadline;
    conn.timer = this.clock.setTimer(Math.max(0, deadline - this.clock.now()), () => {
      conn.timer = conn.timerAt = undefined;
      this.step(conn, { kind: 'tick' });
    });
  }

  private apply(conn: Connection, effect: SessionEffect): void {
    const name = conn.state.device?.deviceName ?? '';
    switch (effect.kind) {
      case 'send':
        return this.write(conn, encode(effect.message));
      case 'registered':
        return this.onRegistered(conn, effect.device);
      case 'unregistered':
        if (this.registry.get(name) === conn) this.registry.delete(name);
        return this.call(conn, () => this.delegate.onUnregistered?.(name, effect.reason));
      case 'hook':
        return this.call(conn, () => this.delegate.onHook?.(name, { offHook: effect.offHook, lineInstance: effect.lineInstance, callReference: effect.callReference }));
      case 'digit':
        return this.call(conn, () => this.delegate.onDigit?.(name, { digit: effect.digit, lineInstance: effect.lineInstance, callReference: effect.callReference }));
      case 'stimulus': {
        const { kind: _k, ...event } = effect;
        return this.call(conn, () => this.delegate.onStimulus?.(name, event));
      }
      case 'softKey':
        return this.call(conn, () => this.delegate.onSoftKey?.(name, { softKeyEvent: effect.softKeyEvent, lineInstance: effect.lineInstance, callReference: effect.callReference }));
      case 'log':
        return this.log(effect.level, effect.text, this.context(conn));
      case 'close':
        return this.hangUp(conn);
    }
  }

  private onRegistered(conn: Connection, device: RegisteredDevice): void {
    const previous = this.registry.get(device.deviceName);
    if (previous && previous !== conn) {
      this.log('info', 'device re-registered on a new connection; dropping the old one', this.context(previous));
      this.step(previous, { kind: 'closed' });
      previous.socket.destroy();
    }
    this.registry.set(device.deviceName, conn);
    this.call(conn, () => this.delegate.onRegistered?.(device));
  }

  private write(conn: Connection, pdu: Uint8Array): void {
    if (conn.socket.destroyed || !conn.socket.writable) return;
    conn.socket.write(pdu); // Rule 1
    if (conn.socket.writableLength > (this.options.maxPendingWriteBytes ?? 256 * 1024)) {
      this.log('warn', 'peer does not read; dropping', this.context(conn));
      this.step(conn, { kind: 'closed' });
      conn.socket.destroy();
    }
  }

  private hangUp(conn: Connection): void {
    conn.socket.end();
    // socket-level grace on real time: a peer that never closes must not linger, whatever the clock
    const t = setTimeout(() => conn.socket.destroy(), this.options.closeGraceMs ?? 2000);
    t.unref();
    conn.socket.once('close', () => clearTimeout(t));
  }

  private call(conn: Connection, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log('error', `delegate threw: ${err instanceof Error ? err.stack ?? err.message : String(err)}`, this.context(conn));
    }
  }

  private context(conn: Connection): { remote: string; deviceName?: string } {
    const deviceName = conn.state.device?.deviceName;
    return deviceName ? { remote: conn.remote, deviceName } : { remote: conn.remote };
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', text: string, context: { remote: string; deviceName?: string }): void {
    this.delegate.onLog?.(level, text, context);
  }
}
