/**
 * Empties V8's young generation when the gateway goes quiet, so the next burst has all of it.
 *
 * Why: a fan-out to 5,000 watchers allocates ~16.5 MB (3.3 kB per NOTIFY: its text, its transaction
 * row), and the young generation holds 16.8 MB. The SUBSCRIBE traffic before it leaves the young
 * generation partly full (5–12 MB used when the bench's PUBLISH arrived), so a scavenge fell inside
 * the burst: 6–15 ms in which no NOTIFY left, spent copying the burst's thousands of transactions
 * waiting for their 200s. Cleaned while quiet, the burst found 16.4 MB free and 3 runs of 4 had no
 * scavenge inside it (bench, 2026-12-06: wire p99 39.5–46.3 ms, against 46–72 ms without).
 *
 * Rule 1: the decision is a pure function (`decideYoungClean`): clean when the last interval was
 *         idle (under `idleCpuShare` of one core) and the young generation holds at least
 *         `minUsedBytes`. A clean leaves ~0.1 MB, and an idle gateway allocates little, so it does
 *         not repeat until traffic comes back.
 * Rule 2: a minor GC (scavenge) only: live young objects are copied, no other space is touched;
 *         1–4 ms on the bench gateway, and only when idle (a request arriving meanwhile waits that
 *         long). Node has no JS entry for it but the `gc` function of `--expose-gc`; the flag is set
 *         at run time and `gc` taken from a new context, so this context's global stays as it was.
 * Rule 3: quarter-second intervals: the quiet gap before a burst can be short (1–2 s in the bench,
 *         between the SUBSCRIBE wave and the PUBLISH).
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CpuInterval } from './cpu-interval.js';
import { isIdle } from './idle-memory-trim.js';

export interface YoungCleanPolicy {
  /** share of one core (0..1) below which an interval counts as idle */
  readonly idleCpuShare: number;
  /** young-generation bytes in use that make a clean worth its pause */
  readonly minUsedBytes: number;
}

export const DEFAULT_YOUNG_CLEAN_POLICY: YoungCleanPolicy = { idleCpuShare: 0.05, minUsedBytes: 1024 * 1024 };

export interface YoungCleanSample {
  /** CPU time used in the interval (user + system), microseconds */
  readonly cpuMicros: number;
  /** length of the interval, microseconds */
  readonly wallMicros: number;
  /** bytes in use in the young generation (V8's `new_space`) now */
  readonly youngUsedBytes: number;
}

/** Rule 1 */
export function decideYoungClean(s: YoungCleanSample, policy: YoungCleanPolicy = DEFAULT_YOUNG_CLEAN_POLICY): boolean {
  return isIdle(s, policy) && s.youngUsedBytes >= policy.minUsedBytes;
}

/** Rule 2: a function that runs one scavenge, or undefined when V8 offers none. */
export function loadMinorGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc !== 'function') return undefined;
    return () => (gc as (options: { type: 'minor' }) => void)({ type: 'minor' });
  } catch {
    return undefined;
  }
}

/** Bytes in use in the young generation. */
export function youngGenerationUsed(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;
}

export interface IdleYoungCleanOptions {
  readonly policy?: YoungCleanPolicy;
  /** Rule 3 */
  readonly intervalMs?: number;
  readonly log: (message: string, meta: Record<string, unknown>) => void;
}

/** Samples every interval and cleans when `decideYoungClean` says so. */
export class IdleYoungClean {
  private timer: NodeJS.Timeout | undefined;
  private readonly cpu = new CpuInterval();

  constructor(private readonly opts: IdleYoungCleanOptions) {}

  start(): void {
    const minorGc = loadMinorGc();
    if (minorGc === undefined) {
      this.opts.log('idle young-generation clean is off: V8 gave no gc function', {});
      return;
    }
    this.timer = setInterval(() => this.tick(minorGc), this.opts.intervalMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(minorGc: () => void): void {
    if (decideYoungClean({ ...this.cpu.read(), youngUsedBytes: youngGenerationUsed() }, this.opts.policy)) minorGc();
    this.cpu.restart();
  }
}
