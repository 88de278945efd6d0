/**
 * Gives memory back to the system after a burst (issue 4: memory per active subscription).
 *
 * V8 keeps the heap that a load grew: old-space pages where promoted transaction rows, messages and
 * store batches died among long-lived subscriptions stay committed (sweeping frees room inside a
 * page, but only an empty page goes back), and a full GC moves objects out of only a few sparse
 * pages. After 100,000 SUBSCRIBEs the heap held ~84 MB live in ~165 MB committed, and V8's own
 * memory reducer did not start on the main isolate in the quiet seconds after (`--trace-gc`).
 *
 * Rule 1: the decision is a pure function of samples (`decideTrim`): trim when the process used
 *         less than `idleCpuShare` of one core in each of the last `minIdleIntervals` intervals and
 *         its committed heap grew by at least `minGrowthBytes` since the last trim (or start).
 *         Several idle seconds, not one: V8 shrinks the young generation (grown to 2 × 16 MB under
 *         load) only in a full GC that sees a low allocation rate over its last ~5 s. When a trim
 *         left the young generation grown, up to `youngRetries` more idle stretches trim again.
 * Rule 2: a trim is one full GC that compacts every page (`--compact-on-every-full-gc` for its
 *         duration; a second gave nothing more): ~330 ms with 100,000 subscriptions on the 2-core
 *         box, so only when idle, and never again without new growth. A request that arrives
 *         meanwhile waits (UDP retransmits after T1 = 500 ms at the earliest).
 * Rule 3: growth counts from zero at start, so the first idle stretch after startup trims too: module
 *         loading leaves garbage (sources, compiler output) and a grown young generation that would
 *         otherwise be given back only after the first load, hiding part of what that load added.
 * Rule 4: after the GC, glibc's malloc_trim (native/malloc-trim.c, when built) gives back the whole
 *         free pages inside malloc's heaps that the load's freed buffers left (~4 MB after
 *         100,000 subscriptions).
 * Rule 5: the GC entry point comes from V8 at run time (`--expose-gc`, then `gc` of a fresh
 *         context); where that is unavailable the trimmer is off and says so once.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';

export interface TrimPolicy {
  /** share of one core (0..1) below which an interval counts as idle */
  readonly idleCpuShare: number;
  /** idle intervals in a row before a trim */
  readonly minIdleIntervals: number;
  /** committed heap growth since the last trim that makes a trim worth its pause */
  readonly minGrowthBytes: number;
  /** a young generation committed above this is still grown */
  readonly grownYoungBytes: number;
  /** trims for a still-grown young generation after one for growth */
  readonly youngRetries: number;
}

export const DEFAULT_TRIM_POLICY: TrimPolicy = {
  idleCpuShare: 0.05, minIdleIntervals: 6, minGrowthBytes: 16 * 1024 * 1024, grownYoungBytes: 8 * 1024 * 1024, youngRetries: 2,
};

export interface TrimSample {
  /** idle intervals in a row before this one */
  readonly idleBefore: number;
  /** CPU time used in the interval (user + system), microseconds */
  readonly cpuMicros: number;
  /** length of the interval, microseconds */
  readonly wallMicros: number;
  /** committed V8 heap now, bytes */
  readonly heapTotal: number;
  /** committed V8 heap right after the last trim (or at start), bytes */
  readonly heapTotalAfterTrim: number;
  /** committed young generation now, bytes */
  readonly youngBytes: number;
  /** young-generation trims done since the last trim for growth */
  readonly youngTrims: number;
}

/** Why a trim runs, or null for none. */
export type TrimReason = 'growth' | 'young' | null;

/** Whether an interval counts as idle (Rule 1). */
export function isIdle(s: Pick<TrimSample, 'cpuMicros' | 'wallMicros'>, policy: TrimPolicy = DEFAULT_TRIM_POLICY): boolean {
  return s.wallMicros > 0 && s.cpuMicros < policy.idleCpuShare * s.wallMicros;
}

/** Rule 1 */
export function decideTrim(s: TrimSample, policy: TrimPolicy = DEFAULT_TRIM_POLICY): TrimReason {
  if (!isIdle(s, policy) || s.idleBefore + 1 < policy.minIdleIntervals) return null;
  if (s.heapTotal - s.heapTotalAfterTrim >= policy.minGrowthBytes) return 'growth';
  if (s.youngBytes > policy.grownYoungBytes && s.youngTrims < policy.youngRetries) return 'young';
  return null;
}

/** Committed bytes of V8's young generation. */
function youngGenerationBytes(): number {
  let bytes = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space' || s.space_name === 'new_large_object_space') bytes += s.space_size;
  return bytes;
}

/** Rule 5: V8's full-GC entry point, or undefined. */
export function exposeGc(): (() => void) | undefined {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Rule 4: glibc's malloc_trim(0) (true when memory went back), or undefined when not built. */
export function loadMallocTrim(): (() => boolean) | undefined {
  try {
    const addon = createRequire(import.meta.url)('../../build/Release/malloc_trim.node') as { trim(): boolean };
    return () => addon.trim();
  } catch {
    return undefined;
  }
}

/** Rule 2: full GC(s) that compact every page; returns the committed heap before and after. */
export function compactHeap(gc: () => void, heapTotal: () => number, rounds = 1): { before: number; after: number } {
  const before = heapTotal();
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    for (let i = 0; i < rounds; i++) gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return { before, after: heapTotal() };
}

export interface IdleMemoryTrimmerOptions {
  readonly policy?: TrimPolicy;
  readonly intervalMs?: number;
  readonly log: (message: string, meta: Record<string, unknown>) => void;
}

/** Samples once per interval and trims when `decideTrim` says so. */
export class IdleMemoryTrimmer {
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = process.cpuUsage();
  private lastWall = process.hrtime.bigint();
  /** Rule 3 */
  private heapTotalAfterTrim = 0;
  private idleIntervals = 0;
  private youngTrims = 0;
  private readonly mallocTrim = loadMallocTrim();

  constructor(private readonly opts: IdleMemoryTrimmerOptions) {}

  start(): void {
    const gc = exposeGc();
    if (gc === undefined) {
      this.opts.log('idle memory trim is off: this runtime gives no GC entry point', {});
      return;
    }
    this.timer = setInterval(() => this.tick(gc), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(gc: () => void): void {
    const cpu = process.cpuUsage(this.lastCpu);
    const wall = process.hrtime.bigint();
    const sample: TrimSample = {
      idleBefore: this.idleIntervals,
      cpuMicros: cpu.user + cpu.system,
      wallMicros: Number(wall - this.lastWall) / 1000,
      heapTotal: process.memoryUsage().heapTotal,
      heapTotalAfterTrim: this.heapTotalAfterTrim,
      youngBytes: youngGenerationBytes(),
      youngTrims: this.youngTrims,
    };
    this.idleIntervals = isIdle(sample, this.opts.policy) ? this.idleIntervals + 1 : 0;
    const reason = decideTrim(sample, this.opts.policy);
    if (reason !== null) {
      this.youngTrims = reason === 'young' ? this.youngTrims + 1 : 0;
      this.idleIntervals = 0; // the next trim waits for a new idle stretch
      this.trim(gc, reason);
    } else if (sample.heapTotal < this.heapTotalAfterTrim) {
      this.heapTotalAfterTrim = sample.heapTotal; // V8 shrank it on its own: growth counts from here
    }
    this.lastCpu = process.cpuUsage();
    this.lastWall = process.hrtime.bigint();
  }

  private trim(gc: () => void, reason: TrimReason): void {
    const started = performance.now();
    const { before, after } = compactHeap(gc, () => process.memoryUsage().heapTotal);
    this.heapTotalAfterTrim = after;
    const mallocTrimmed = this.mallocTrim?.() ?? false;
    this.opts.log('idle: heap compacted', {
      reason, youngMB: Math.round(youngGenerationBytes() / 1e6), heapBeforeMB: Math.round(before / 1e6),
      heapAfterMB: Math.round(after / 1e6), mallocTrimmed, pauseMs: Math.round(performance.now() - started),
    });
  }
}
