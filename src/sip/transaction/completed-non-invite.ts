/**
 * The Completed state of non-INVITE transactions over an unreliable transport, kept as rows of one
 * table instead of live transaction objects: server side (RFC 3261 §17.2.2, Timer J) with the final
 * response to re-send, client side (§17.1.2.2, Timer K) as a bare key that absorbs retransmitted
 * finals ("any retransmissions of the final response that are received while in the Completed
 * state" are buffered for T4 and dropped).
 *
 * "While in the "Completed" state, the server transaction MUST pass the final response to the
 * transport layer for retransmission whenever a retransmission of the request is received" — for
 * Timer J, 64*T1 (32 s). At thousands of requests a second that is hundreds of thousands of rows
 * at once; as objects (transaction, parsed request, response, one host timer each) they survived
 * young-generation GCs and were copied into the old generation, which led the profile. A row here
 * is the response's wire text (one flat string), where it goes and its deadline, in parallel arrays.
 *
 * Rule 1: every row lives the same time (Timer J or K), so rows expire in insertion order: one FIFO
 *         and ONE timer (armed for the oldest row, at most every SWEEP_EVERY_MS) replace a timer
 *         per transaction.
 * Rule 2: a retransmission of the request gets the same final response and nothing else; the TU
 *         never sees it (its transaction terminated when it handed the row over). A client row has
 *         no wire text: a retransmitted final that hits it is absorbed.
 * Rule 3: keys are stored as flat copies: a transaction key is built from slices of the received
 *         message, and a row kept for 32 s must not keep that whole message text alive.
 * Rule 4: a transport error while re-sending ends the row (the §17.2.4 move to "Terminated"),
 *         with a log line; as with the full transaction in this state, the TU is told nothing.
 */
import type { SipRequest } from '../message/index.js';
import type { Flow, HostPort, SipLogger, WireData } from '../transport/index.js';
import type { Clock, TimerHandle } from './clock.js';
import { responseFromRecipe } from './response-recipe.js';

/** What the table needs from the stack. */
export interface CompletedTableHost {
  readonly clock: Clock;
  readonly logger: SipLogger;
  /** sends wire bytes on a flow whose remote is already the response target (RFC 3261 §18.2.2) */
  sendBytes(bytes: WireData, flow: Flow): Promise<Flow>;
}

/**
 * The timer fires no more often than this: rows that fall due together are swept together, at most
 * this late (Timer J and K are lower bounds on how long the state is kept).
 */
const SWEEP_EVERY_MS = 250;

/** First character of a row's wire that is a recipe (response-recipe.ts), not the response's bytes. */
const RECIPE = '\u0000';

/** Compact the arrays once this many expired rows sit at their front. */
const COMPACT_AFTER = 4096;

/** Rule 3: a flat copy of `s` (no reference into the string it was sliced or concatenated from). */
function flatCopy(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

export class CompletedNonInviteTable {
  /** key → absolute row number (row `n` sits at index `n - this.dropped`) */
  private readonly rows = new Map<string, number>();
  private keys: Array<string | undefined> = [];
  private wires: Array<string | undefined> = [];
  /** the flow of each row, flat: its transport's local address (shared) and the target host and port */
  private locals: Array<HostPort | undefined> = [];
  private hosts: Array<string | undefined> = [];
  private ports: number[] = [];
  private deadlines: number[] = [];
  /** index of the oldest live (or not yet swept) row */
  private head = 0;
  /** rows removed from the front of the arrays by compaction */
  private dropped = 0;
  private timer: TimerHandle | undefined;
  /** the timer is being re-armed right after a sweep (so it waits at least SWEEP_EVERY_MS) */
  private swept = false;

  constructor(
    private readonly host: CompletedTableHost,
    /** Timer J for unreliable transports: 64*T1 */
    private readonly lifetimeMs: number,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  has(key: string): boolean {
    return this.rows.has(key);
  }

  /**
   * Keeps `wire` (the final response as sent, latin1 so any byte survives) and its flow for
   * retransmissions of `key`; without them the row only absorbs (client side).
   */
  add(anyKey: string, wire?: string, flow?: Flow): void {
    const key = flatCopy(anyKey);
    this.remove(key);
    this.rows.set(key, this.dropped + this.keys.length);
    this.keys.push(key);
    this.wires.push(wire);
    this.locals.push(flow?.local);
    this.hosts.push(flow?.remote.host);
    this.ports.push(flow?.remote.port ?? 0);
    this.deadlines.push(this.host.clock.now() + this.lifetimeMs);
    if (this.timer === undefined) this.arm();
  }

  /**
   * Keeps a response as its recipe (response-recipe.ts: what it does not copy from the request), which
   * `resend` completes from the retransmitted request.
   */
  addRecipe(anyKey: string, recipe: string, flow: Flow): void {
    this.add(anyKey, flatCopy(RECIPE + recipe), flow);
  }

  /**
   * Rule 2: re-sends the final response for `key` (or absorbs); false when no row has that key.
   * `request` is the retransmission that matched (it completes a recipe row).
   */
  resend(key: string, request?: SipRequest): boolean {
    const row = this.rows.get(key);
    if (row === undefined) return false;
    const i = row - this.dropped;
    const wire = this.wires[i];
    if (wire === undefined) return true;
    let bytes: WireData;
    if (wire.startsWith(RECIPE)) {
      const text = request === undefined ? null : responseFromRecipe(wire.slice(1), request);
      if (text === null) return true; // a retransmission always carries the copied fields; absorb if not
      bytes = text;
    } else bytes = Buffer.from(wire, 'latin1');
    // rows exist only for UDP, the one unreliable transport (RFC 3261 §17.2.2 Timer J / §17.1.2.2 Timer K)
    const flow: Flow = { transport: 'udp', local: this.locals[i]!, remote: { host: this.hosts[i]!, port: this.ports[i]! } };
    this.host.sendBytes(bytes, flow).catch((err: unknown) => {
      this.host.logger.warn('server transaction send failed', { key, err: String(err) });
      if (this.rows.get(key) === row) this.remove(key); // Rule 4
    });
    return true;
  }

  /** Drops every row and the timer (stack close). */
  clear(): void {
    if (this.timer !== undefined) this.host.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.rows.clear();
    this.keys = [];
    this.wires = [];
    this.locals = [];
    this.hosts = [];
    this.ports = [];
    this.deadlines = [];
    this.head = 0;
    this.dropped = 0;
  }

  private remove(key: string): void {
    const row = this.rows.get(key);
    if (row === undefined) return;
    this.rows.delete(key);
    const i = row - this.dropped;
    this.keys[i] = undefined;
    this.wires[i] = undefined;
    this.locals[i] = undefined;
    this.hosts[i] = undefined;
  }

  /** Rule 1: the oldest row decides when the timer fires. */
  private arm(): void {
    if (this.head >= this.keys.length) return;
    const due = this.deadlines[this.head]! - this.host.clock.now();
    const wait = this.swept ? Math.max(due, SWEEP_EVERY_MS) : Math.max(0, due);
    this.timer = this.host.clock.setTimer(wait, () => this.sweep());
  }

  private sweep(): void {
    this.timer = undefined;
    const now = this.host.clock.now();
    while (this.head < this.keys.length && this.deadlines[this.head]! <= now) {
      const key = this.keys[this.head];
      if (key !== undefined && this.rows.get(key) === this.dropped + this.head) this.rows.delete(key);
      this.head++;
    }
    if (this.head === this.keys.length) this.compact();
    else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.keys.length) this.compact();
    this.swept = true;
    this.arm();
    this.swept = false;
  }

  private compact(): void {
    this.keys = this.keys.slice(this.head);
    this.wires = this.wires.slice(this.head);
    this.locals = this.locals.slice(this.head);
    this.hosts = this.hosts.slice(this.head);
    this.ports = this.ports.slice(this.head);
    this.deadlines = this.deadlines.slice(this.head);
    this.dropped += this.head;
    this.head = 0;
  }
}
