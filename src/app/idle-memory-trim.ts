/**
 * Gives memory back to the system after a burst (issue 4: memory per active subscription).
 *
 * V8 keeps the heap that a load grew: old-space pages where promoted transaction rows, messages and
 * store batches died among long-lived subscriptions stay committed (sweeping frees room inside a
 * page, but only an empty page goes back), a full GC moves objects out of only a few sparse pages,
 * and the young generation stays at the 2 × 16 MB the load grew it to. After 100,000 SUBSCRIBEs the
 * heap held ~84 MB live in ~165 MB committed, and V8's own memory reducer did not start on the main
 * isolate in the quiet seconds after (`--trace-gc`); glibc likewise keeps the pages of freed buffers.
 *
 * Rule 1: the decision is a pure function of samples (`decideTrim`): trim when the process used
 *         less than `idleCpuShare` of one core in each of the last `minIdleIntervals` intervals and
 *         its committed heap grew by at least `minGrowthBytes` since the last trim.
 *         Six quiet seconds: a trim has a price after it too — the young generation starts small
 *         again, and the next burst's pending NOTIFYs are copied through more scavenges (5,000
 *         watchers: ~80 ms instead of ~33 ms for the first fan-out after a trim, in-process). A
 *         SUBSCRIBE wave and the state changes that follow it within seconds should not pay that.
 * Rule 2: a trim (native/memory-trim.cc) is a critical memory-pressure notification to V8 — a full
 *         GC that shrinks the young generation — with every page compacted
 *         (`--compact-on-every-full-gc` for its duration), then glibc's malloc_trim. ~300 ms with
 *         100,000 subscriptions on the 2-core box, so only when idle, and never again without new
 *         growth. A request that arrives meanwhile waits (UDP retransmits after T1 = 500 ms).
 * Rule 3: growth counts from zero at start, so the first idle stretch after startup trims too: module
 *         loading leaves garbage (sources, compiler output) and a grown young generation that would
 *         otherwise be given back only after the first load, hiding part of what that load added.
 *         That first trim is the thorough one (V8's low-memory notification: two GCs, and the
 *         compilation cache dropped), on a heap still small.
 * Rule 4: without the addon (not built) the trimmer is off and says so once.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { CpuInterval } from './cpu-interval.js';

export interface TrimPolicy {
  /** share of one core (0..1) below which an interval counts as idle */
  readonly idleCpuShare: number;
  /** idle intervals in a row before a trim */
  readonly minIdleIntervals: number;
  /** committed heap growth since the last trim that makes a trim worth its pause */
  readonly minGrowthBytes: number;
}

export const DEFAULT_TRIM_POLICY: TrimPolicy = { idleCpuShare: 0.05, minIdleIntervals: 6, minGrowthBytes: 16 * 1024 * 1024 };

export interface TrimSample {
  /** idle intervals in a row before this one */
  readonly idleBefore: number;
  /** CPU time used in the interval (user + system), microseconds */
  readonly cpuMicros: number;
  /** length of the interval, microseconds */
  readonly wallMicros: number;
  /** committed V8 heap now, bytes */
  readonly heapTotal: number;
  /** committed V8 heap right after the last trim (0 before the first), bytes */
  readonly heapTotalAfterTrim: number;
}

/** Whether an interval counts as idle (Rule 1). */
export function isIdle(s: Pick<TrimSample, 'cpuMicros' | 'wallMicros'>, policy: Pick<TrimPolicy, 'idleCpuShare'> = DEFAULT_TRIM_POLICY): boolean {
  return s.wallMicros > 0 && s.cpuMicros < policy.idleCpuShare * s.wallMicros;
}

/** Rule 1 */
export function decideTrim(s: TrimSample, policy: TrimPolicy = DEFAULT_TRIM_POLICY): boolean {
  return isIdle(s, policy) && s.idleBefore + 1 >= policy.minIdleIntervals
    && s.heapTotal - s.heapTotalAfterTrim >= policy.minGrowthBytes;
}

/**
 * The native half of a trim: V8's memory-pressure GC (`thorough`: its low-memory notification), then
 * malloc_trim; true when malloc gave memory back.
 */
export type NativeTrim = (thorough: boolean) => boolean;

/** Rule 4: native/memory-trim.cc, or undefined when it was not built. */
export function loadNativeTrim(): NativeTrim | undefined {
  try {
    const addon = createRequire(import.meta.url)('../../build/Release/memory_trim.node') as { trim(thorough: boolean): boolean };
    return (thorough) => addon.trim(thorough);
  } catch {
    return undefined;
  }
}

/** Rule 2: one trim; returns the committed heap before and after, and whether malloc gave pages back. */
export function trimMemory(
  native: NativeTrim, heapTotal: () => number, thorough = false,
): { before: number; after: number; mallocTrimmed: boolean } {
  const before = heapTotal();
  setFlagsFromString('--compact-on-every-full-gc');
  let mallocTrimmed: boolean;
  try {
    mallocTrimmed = native(thorough);
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return { before, after: heapTotal(), mallocTrimmed };
}

export interface IdleMemoryTrimmerOptions {
  readonly policy?: TrimPolicy;
  readonly intervalMs?: number;
  readonly log: (message: string, meta: Record<string, unknown>) => void;
}

/** Samples once per interval and trims when `decideTrim` says so. */
export class IdleMemoryTrimmer {
  private timer: NodeJS.Timeout | undefined;
  private readonly cpu = new CpuInterval();
  /** Rule 3 */
  private heapTotalAfterTrim = 0;
  private idleIntervals = 0;
  private trims = 0;

  constructor(private readonly opts: IdleMemoryTrimmerOptions) {}

  start(): void {
    const native = loadNativeTrim();
    if (native === undefined) {
      this.opts.log('idle memory trim is off: build/Release/memory_trim.node was not built', {});
      return;
    }
    this.timer = setInterval(() => this.tick(native), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(native: NativeTrim): void {
    const sample: TrimSample = {
      idleBefore: this.idleIntervals,
      ...this.cpu.read(),
      heapTotal: process.memoryUsage().heapTotal,
      heapTotalAfterTrim: this.heapTotalAfterTrim,
    };
    this.idleIntervals = isIdle(sample, this.opts.policy) ? this.idleIntervals + 1 : 0;
    if (decideTrim(sample, this.opts.policy)) {
      const started = performance.now();
      const thorough = this.trims++ === 0; // Rule 3
      const { before, after, mallocTrimmed } = trimMemory(native, () => process.memoryUsage().heapTotal, thorough);
      this.heapTotalAfterTrim = after;
      this.opts.log('idle: memory trimmed', {
        thorough, heapBeforeMB: Math.round(before / 1e6), heapAfterMB: Math.round(after / 1e6), mallocTrimmed,
        pauseMs: Math.round(performance.now() - started),
      });
    } else if (sample.heapTotal < this.heapTotalAfterTrim) {
      this.heapTotalAfterTrim = sample.heapTotal; // V8 shrank it on its own: growth counts from here
    }
    this.cpu.restart();
  }
}
