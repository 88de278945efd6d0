/**
 * V8 tiering for a long-running server: `blfgw start` has V8 optimize a function after a quarter of
 * the bytecode it would run by default (`--interrupt-budget`, 66 KB → 16 KB per tick).
 *
 * Why: the NOTIFY path of a fan-out runs only when a line changes. Under V8's defaults, 1,000 initial
 * NOTIFYs at 1,000 SUBSCRIBEs per second left it unoptimized, so the first state change seen by 1,000
 * watchers ran in baseline code while TurboFan compiled it: bench wire p99 44–58 ms, 19–25 ms with
 * this budget (2026-12-06, `BENCH_FANOUT_NS=1000`). A server lives for days; compiling warm code a
 * little sooner costs a few compilations at start.
 *
 * Rule 1: an `--interrupt-budget` given to node itself (`node --interrupt-budget=N bin/blfgw.js`) wins.
 * Rule 2: V8 reads the budget each time it resets a function's counter, so setting it once the
 *         process runs holds for all code, including modules loaded before.
 */
import { setFlagsFromString } from 'node:v8';

export const SERVER_INTERRUPT_BUDGET = 16 * 1024;

/** The V8 flags `blfgw start` sets, given node's own command-line flags (Rule 1). */
export function serverJitFlags(execArgv: readonly string[]): string[] {
  const given = execArgv.some((a) => /^--interrupt[-_]budget(=|$)/.test(a));
  return given ? [] : [`--interrupt-budget=${SERVER_INTERRUPT_BUDGET}`];
}

/** Applies `serverJitFlags`; returns what it set. */
export function tuneJitForServer(execArgv: readonly string[] = process.execArgv): string[] {
  const flags = serverJitFlags(execArgv);
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
