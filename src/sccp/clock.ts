/**
 * The clock the Skinny server runs its keepalive and registration deadlines on (style.md §8: a
 * `Clock` is injected into `sip/` and `sccp/`). The device FSM never reads it: it is handed `now`.
 *
 * `ManualClock` is a deterministic implementation for tests and simulations: time moves only when
 * `advance(ms)` is called, and due timers fire in deadline order.
 */

/** Opaque handle of a scheduled callback. */
export interface ClockTimer {
  readonly id: number;
}

/** Milliseconds clock with one-shot timers. */
export interface Clock {
  /** Current time in milliseconds (epoch or any monotonic origin; only differences matter). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. */
  setTimer(ms: number, fn: () => void): ClockTimer;
  /** Cancels a timer; a no-op for a timer that already fired or was cleared. */
  clearTimer(timer: ClockTimer): void;
}

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, PendingTimer>();

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): ClockTimer {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.current + Math.max(0, ms), fn });
    return { id };
  }

  clearTimer(timer: ClockTimer): void {
    this.timers.delete(timer.id);
  }

  /** Number of timers still pending. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let due: PendingTimer | undefined;
      for (const t of this.timers.values()) if (t.at <= target && (!due || t.at < due.at)) due = t;
      if (!due) break;
      this.timers.delete(due.id);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }
}
