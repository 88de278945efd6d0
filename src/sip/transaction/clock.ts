/**
 * Injected clock for the transaction layer (style.md §8: "A `Clock` is injected into `sip/`").
 * `RealClock` uses the host timers; `FakeClock` runs in virtual time for tests (`advance(ms)`).
 */

export type TimerHandle = { readonly id: number };

export interface Clock {
  /** milliseconds (monotonic for RealClock) */
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** A host timer; `armed` turns false once it fired or was cleared (so `pending` counts each once). */
interface RealTimer extends TimerHandle {
  readonly timeout: ReturnType<typeof setTimeout>;
  armed: boolean;
}

/** Host timers; the handle holds the timeout itself (every transaction arms one, so no lookup table). */
export class RealClock implements Clock {
  private seq = 0;
  private armed = 0;

  now(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const handle: { id: number; timeout?: ReturnType<typeof setTimeout>; armed: boolean } = { id: ++this.seq, timeout: undefined, armed: true };
    handle.timeout = setTimeout(() => {
      if (!handle.armed) return;
      handle.armed = false;
      this.armed--;
      fn();
    }, ms);
    handle.timeout.unref?.();
    this.armed++;
    return handle as RealTimer;
  }

  clearTimer(handle: TimerHandle): void {
    const t = handle as RealTimer;
    if (!t.armed) return;
    t.armed = false;
    this.armed--;
    clearTimeout(t.timeout);
  }

  /** Number of armed timers (tests check nothing leaks). */
  get pending(): number {
    return this.armed;
  }
}

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** Virtual time: timers fire only inside `advance(ms)`, in deadline order. */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = ++this.seq;
    this.timers.push({ id, at: this.t + Math.max(0, ms), fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((x) => x.id !== handle.id);
  }

  /** Move time forward by `ms`, firing due timers in order (timers armed meanwhile included). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let guard = 0; guard < 1_000_000; guard++) {
      let next: FakeTimer | undefined;
      for (const x of this.timers) if (x.at <= end && (next === undefined || x.at < next.at || (x.at === next.at && x.id < next.id))) next = x;
      if (next === undefined) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }

  get pending(): number {
    return this.timers.length;
  }
}
