/**
 * The fan-out phase's CPU split: the server under test (our gateway, or Kamailio with all its
 * processes) runs on CPUs of its own, and the load — run.sh, the SIPp watchers and publisher, dumpcap —
 * on CPU 0. The same split for both servers, so the rows still compare like with like.
 *
 * Why: the fan-out is measured on the wire, and on a 2-CPU machine the capture itself competes with
 * the server. Unpinned, dumpcap woke on the gateway's CPU every ~1.5 ms during a 5,000-NOTIFY burst
 * and took ~0.6 ms each time (perf sched), about a third of that CPU; the run.sh polling loop
 * (bash, seq, grep) and the publisher's SIPp exiting took slices too. That is the harness, not the
 * server. The subscription and memory phases stay unpinned: Kamailio's throughput there uses more
 * than one CPU.
 *
 * BENCH_PIN=0 turns the split off; it is also off without `taskset` or with fewer than 2 CPUs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

export interface CpuSplit {
  /** taskset CPU list of the load (run.sh and everything it starts but the server) */
  readonly load: string;
  /** taskset CPU list of the server under test */
  readonly server: string;
}

function which(tool: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** The split for this machine, or null when it is off (see the header). */
export function fanoutCpuSplit(env: NodeJS.ProcessEnv = process.env, cpus = availableParallelism()): CpuSplit | null {
  if (env.BENCH_PIN === '0' || cpus < 2 || which('taskset') === undefined) return null;
  return { load: '0', server: cpus === 2 ? '1' : `1-${cpus - 1}` };
}

/** `command args` run on `cpuList`. */
export function pinned(cpuList: string, command: string, args: readonly string[]): [string, string[]] {
  return ['taskset', ['-c', cpuList, command, ...args]];
}

/**
 * A folder holding a `kamailio` that execs the real one on the server's CPUs (same PID, so run.sh's
 * process bookkeeping is unchanged); put it first on run.sh's PATH when run.sh manages Kamailio.
 */
export function kamailioShim(dir: string, split: CpuSplit): string {
  const real = which('kamailio');
  if (real === undefined) throw new Error('kamailio is not on PATH');
  mkdirSync(dir, { recursive: true });
  const shim = join(dir, 'kamailio');
  writeFileSync(shim, `#!/bin/sh\nexec taskset -c ${split.server} ${real} "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}
