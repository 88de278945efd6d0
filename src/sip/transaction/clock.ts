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

export class RealClock implements Clock {
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private seq = 0;

  now(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = ++this.seq;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    t.unref?.();
    this.timers.set(id, t);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(handle.id);
  }

  /** Number of armed timers (tests check nothing leaks). */
  get pending(): number {
    return this.timers.size;
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
