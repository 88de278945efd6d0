/**
 * Non-INVITE client transactions over UDP whose request the TU serialized itself (RFC 3261
 * §17.1.2, Trying → Proceeding → Completed), kept as rows of one table: the NOTIFY fan-out path.
 *
 * A state change on a line watched by thousands of phones starts thousands of NOTIFY transactions
 * in one go; as `ClientTransaction` objects (parsed request, headers, body, two host timers,
 * promise chains) each cost ~3 kB that live until the watcher answers, and copying them through
 * young-generation GCs led the fan-out profile. A row here is the TU's request object (it builds the
 * bytes and hears the outcome), its flow and its Timer E state.
 *
 * Rule 1: Timer E "initially set to T1"; on firing the request is retransmitted and E reset to
 *         MIN(2*T1, T2) — T2 once in Proceeding. Timer F (64*T1) ends the row with a timeout.
 *         Every delay in use is one of a few fixed values, so each delay has a `DeadlineFifo`
 *         and ONE host timer serves them all (armed for the earliest head).
 * Rule 2: a provisional moves the row to Proceeding and is not reported (the TU waits for a final).
 *         A final ends the row: the TU hears it once, and the key goes on as a Completed bare row
 *         (Timer K, absorbs retransmitted finals; `completed-non-invite.ts`).
 * Rule 3: a transport error on a send ends the row with `transport`; the TU hears exactly one of
 *         final / timeout / transport.
 * Rule 4: an ended row leaves stale entries in the queues (a FIFO cannot drop from the middle);
 *         they are swept out in bulk once they outnumber the live rows, so answered NOTIFYs do not
 *         keep their bytes for Timer F's 32 s.
 * Rule 5: a row keeps the TU's request object, which builds the bytes for each (re)transmission,
 *         byte for byte the same, so the 1 kB text of each of 5,000 NOTIFYs dies in the send batch
 *         instead of living, and being copied through GCs, until its watcher answers. One object
 *         per request, building and hearing the outcome, instead of a closure for each: a fan-out
 *         keeps 5,000 of them through the young-generation GCs of its own burst.
 * Rule 6: a row lives in a slot of an array, and its branch names the slot: `z9hG4bK`, 96 random
 *         bits in hex drawn once per table, a count of the table's requests in base 36 (so unique
 *         across space and time, §8.1.1.7, without drawing random bytes for each of 5,000 NOTIFYs,
 *         which with their hex conversion were 6 % of a fan-out), `.`, the slot in base 36. A response
 *         finds its row by the slot and must carry the row's whole branch; the method is checked
 *         too (§17.1.3). Rows used to be a Map keyed by branch: hashing each new branch, growing the
 *         table to 8,192 entries in every fan-out (into fresh pages) and shrinking it as the 200s
 *         came back were 13 % of a 5,000-NOTIFY fan-out's CPU (perf, in-process). Freed slots are
 *         reused; the array keeps the length of the largest burst (8 bytes a slot).
 */
import type { SipResponse } from '../message/index.js';
import type { Flow, SipLogger, WireData } from '../transport/index.js';
import type { Clock, TimerHandle } from './clock.js';
import { DeadlineFifo } from './deadline-fifo.js';
import { BRANCH_MAGIC } from '../message/header-parsers.js';
import { randomToken } from '../message/random-id.js';
import { clientKey } from './transaction-keys.js';

/** The one outcome of a prepared request's transaction. */
export type PreparedResult =
  | { readonly status: number; readonly response: SipResponse }
  | { readonly status: 0; readonly error: 'timeout' | 'transport' };

export interface PendingTableHost {
  readonly clock: Clock;
  /** our top Via value for a request on `flow` with `branch` */
  viaFor(flow: Flow, branch: string): string;
  readonly logger: SipLogger;
  readonly timers: { readonly T1: number; readonly T2: number };
  /** sends; `onError` runs (later, never inside this call) only if the send failed */
  sendBytes(bytes: WireData, flow: Flow, onError: (err: unknown) => void): void;
  /** Rule 2: the transaction got its final; its key (`clientKey`) now only absorbs retransmitted finals */
  completed(key: string): void;
}

/** Rule 5: a request the TU serialized itself. */
export interface PreparedRequest {
  /** our top Via, set by the table (Rule 6) before the first `wire()` */
  via: string;
  /** the request's bytes, starting with `via`; the same on every call */
  wire(): WireData;
  /** the transaction's one outcome */
  onFinal(result: PreparedResult): void;
}

interface Row {
  /** Rule 6 */
  readonly branch: string;
  readonly slot: number;
  readonly method: string;
  readonly request: PreparedRequest;
  readonly flow: Flow;
  /** current Timer E delay */
  interval: number;
  proceeding: boolean;
  /** bumped when E is re-armed, so older queue entries are stale */
  eStamp: number;
}

/** Queue stamp of a Timer F entry (E stamps are ≥ 0). */
const TIMER_F = -1;

export class PendingNonInviteTable {
  /** Rule 6 */
  private readonly slots: Array<Row | undefined> = [];
  private readonly freeSlots: number[] = [];
  private live = 0;
  /** Rule 6 */
  private readonly branchPrefix = `${BRANCH_MAGIC}${randomToken(96)}`;
  private started = 0;
  private readonly eQueues = new Map<number, DeadlineFifo<Row>>();
  private readonly fQueue: DeadlineFifo<Row>;
  private timer: TimerHandle | undefined;
  private timerDue = Infinity;
  /** rows ended since the queues were last swept of stale entries (Rule 4) */
  private endedSinceSweep = 0;

  constructor(private readonly host: PendingTableHost) {
    this.fQueue = new DeadlineFifo(64 * host.timers.T1);
  }

  get size(): number {
    return this.live;
  }

  /** Sends `request` on the UDP `flow` and runs its transaction; returns its branch (Rule 6). */
  start(method: string, request: PreparedRequest, flow: Flow): string {
    const slot = this.freeSlots.pop() ?? this.slots.length;
    const branch = `${this.branchPrefix}${(this.started++).toString(36)}.${slot.toString(36)}`;
    request.via = this.host.viaFor(flow, branch);
    const row: Row = { branch, slot, method, request, flow, interval: this.host.timers.T1, proceeding: false, eStamp: 0 };
    this.slots[slot] = row;
    this.live++;
    const now = this.host.clock.now();
    this.queueFor(row.interval).push(row, 0, now);
    this.fQueue.push(row, TIMER_F, now);
    // the new entries fall due after every earlier one of their queues: the host timer needs
    // re-arming only when it is not armed at or before them (a fan-out skips the scan 4,999 times)
    if (now + row.interval < this.timerDue) this.arm();
    this.transmit(row);
    return branch;
  }

  /** Feeds a response with this top Via branch and CSeq method; false when no row matches. */
  receive(branch: string, method: string, response: SipResponse): boolean {
    const slot = slotOf(branch);
    const row = slot < 0 ? undefined : this.slots[slot];
    if (row === undefined || row.branch !== branch || row.method !== method) return false;
    if (response.status < 200) {
      row.proceeding = true;
      return true;
    }
    this.end(row);
    this.sweepStaleIfMany();
    this.host.completed(clientKey(branch, method));
    this.report(row, { status: response.status, response });
    return true;
  }

  /** Drops every row without reporting (stack close). */
  clear(): void {
    if (this.timer !== undefined) this.host.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
    this.slots.length = 0;
    this.freeSlots.length = 0;
    this.live = 0;
    for (const q of this.eQueues.values()) q.reset();
    this.fQueue.reset();
  }

  private queueFor(delay: number): DeadlineFifo<Row> {
    let q = this.eQueues.get(delay);
    if (q === undefined) {
      q = new DeadlineFifo(delay);
      this.eQueues.set(delay, q);
    }
    return q;
  }

  private isLive(row: Row): boolean {
    return this.slots[row.slot] === row;
  }

  private end(row: Row): void {
    this.slots[row.slot] = undefined;
    this.freeSlots.push(row.slot);
    this.live--;
    this.endedSinceSweep++;
  }

  /** Rule 4; never while a queue is being popped (callers run it after). */
  private sweepStaleIfMany(): void {
    if (this.endedSinceSweep < 1024 || this.endedSinceSweep < this.live) return;
    this.endedSinceSweep = 0;
    const live = (r: Row, stamp: number) => this.isLive(r) && (stamp === TIMER_F || stamp === r.eStamp);
    this.fQueue.retain(live);
    for (const q of this.eQueues.values()) q.retain(live);
  }

  private report(row: Row, result: PreparedResult): void {
    try {
      row.request.onFinal(result);
    } catch (err) {
      this.host.logger.error('TU threw in a prepared request result', { branch: row.branch, err: String(err), stack: (err as Error)?.stack });
    }
  }

  private transmit(row: Row): void {
    this.host.sendBytes(row.request.wire(), row.flow, (err: unknown) => {
      if (!this.isLive(row)) return;
      this.host.logger.warn('client transaction send failed', { branch: row.branch, err: String(err) });
      this.end(row); // Rule 3
      this.sweepStaleIfMany();
      this.report(row, { status: 0, error: 'transport' });
    });
  }

  /** Rule 1: one host timer, for the earliest head of all queues. */
  private arm(): void {
    let due = this.fQueue.nextDue ?? Infinity;
    for (const q of this.eQueues.values()) due = Math.min(due, q.nextDue ?? Infinity);
    if (due === Infinity || due >= this.timerDue) return;
    if (this.timer !== undefined) this.host.clock.clearTimer(this.timer);
    this.timerDue = due;
    this.timer = this.host.clock.setTimer(Math.max(0, due - this.host.clock.now()), () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.host.clock.now();
    this.fQueue.popDue(now, (row) => {
      if (!this.isLive(row)) return;
      this.end(row);
      this.report(row, { status: 0, error: 'timeout' });
    });
    for (const q of [...this.eQueues.values()]) {
      q.popDue(now, (row, stamp) => {
        if (!this.isLive(row) || stamp !== row.eStamp) return;
        const { T2 } = this.host.timers;
        row.interval = row.proceeding ? T2 : Math.min(row.interval * 2, T2);
        row.eStamp++;
        this.queueFor(row.interval).push(row, row.eStamp, now);
        this.transmit(row);
      });
    }
    if (this.live === 0) {
      for (const q of this.eQueues.values()) q.reset();
      this.fQueue.reset();
      this.endedSinceSweep = 0;
    } else {
      this.sweepStaleIfMany();
    }
    this.arm();
  }
}

/** Rule 6: the slot a branch of ours names (after its last `.`, base 36), or -1. */
function slotOf(branch: string): number {
  const dot = branch.lastIndexOf('.');
  if (dot < 0 || dot === branch.length - 1 || branch.length - dot > 8) return -1;
  let slot = 0;
  for (let i = dot + 1; i < branch.length; i++) {
    const c = branch.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
    if (digit < 0) return -1;
    slot = slot * 36 + digit;
  }
  return slot;
}
