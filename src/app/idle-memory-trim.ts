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
 *         less than `idleCpuShare` of one core over the last interval and its committed heap grew
 *         by at least `minGrowthBytes` since the last trim (or start).
 * Rule 2: a trim is one full GC that compacts every page (`--compact-on-every-full-gc` for its
 *         duration; a second gave nothing more): ~330 ms with 100,000 subscriptions on the 2-core
 *         box, so only when idle, and never again without new growth. A request that arrives
 *         meanwhile waits (UDP retransmits after T1 = 500 ms at the earliest).
 * Rule 3: the GC entry point comes from V8 at run time (`--expose-gc`, then `gc` of a fresh
 *         context); where that is unavailable the trimmer is off and says so once.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface TrimPolicy {
  /** share of one core (0..1) below which an interval counts as idle */
  readonly idleCpuShare: number;
  /** committed heap growth since the last trim that makes a trim worth its pause */
  readonly minGrowthBytes: number;
}

export const DEFAULT_TRIM_POLICY: TrimPolicy = { idleCpuShare: 0.05, minGrowthBytes: 16 * 1024 * 1024 };

export interface TrimSample {
  /** CPU time used in the interval (user + system), microseconds */
  readonly cpuMicros: number;
  /** length of the interval, microseconds */
  readonly wallMicros: number;
  /** committed V8 heap now, bytes */
  readonly heapTotal: number;
  /** committed V8 heap right after the last trim (or at start), bytes */
  readonly heapTotalAfterTrim: number;
}

/** Rule 1 */
export function decideTrim(s: TrimSample, policy: TrimPolicy = DEFAULT_TRIM_POLICY): boolean {
  if (s.wallMicros <= 0) return false;
  return s.cpuMicros < policy.idleCpuShare * s.wallMicros && s.heapTotal - s.heapTotalAfterTrim >= policy.minGrowthBytes;
}

/** Rule 3: V8's full-GC entry point, or undefined. */
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
  private heapTotalAfterTrim = process.memoryUsage().heapTotal;

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
      cpuMicros: cpu.user + cpu.system,
      wallMicros: Number(wall - this.lastWall) / 1000,
      heapTotal: process.memoryUsage().heapTotal,
      heapTotalAfterTrim: this.heapTotalAfterTrim,
    };
    if (decideTrim(sample, this.opts.policy)) {
      const started = performance.now();
      const { before, after } = compactHeap(gc, () => process.memoryUsage().heapTotal);
      this.heapTotalAfterTrim = after;
      this.opts.log('idle: heap compacted', {
        heapBeforeMB: Math.round(before / 1e6), heapAfterMB: Math.round(after / 1e6), pauseMs: Math.round(performance.now() - started),
      });
    } else if (sample.heapTotal < this.heapTotalAfterTrim) {
      this.heapTotalAfterTrim = sample.heapTotal; // V8 shrank it on its own: growth counts from here
    }
    this.lastCpu = process.cpuUsage();
    this.lastWall = process.hrtime.bigint();
  }
}
