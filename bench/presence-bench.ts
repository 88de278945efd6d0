/**
 * Presence bench (issue 4): SUBSCRIBE + initial NOTIFY throughput, fan-out latency of one state change
 * to 100 / 1,000 / 5,000 watchers, and memory per active subscription — measured with the Kamailio
 * anchor's own driver and SIPp scenarios, first against Kamailio's presence server, then, in the same
 * run, against our gateway (a `blfgw start` child process on a generated bench dialplan).
 *
 * Like with like: run.sh restarts Kamailio before each step; we restart the gateway before each step
 * too (one run.sh call per step), so neither server carries the previous step's subscriptions.
 * Knobs: BENCH_SUB_RATES, BENCH_FANOUT_NS, BENCH_MEM_COUNTS, BENCH_QUIET_WAIT, BENCH_VERBOSE,
 * BENCH_GATEWAY_NODE_FLAGS (Node flags for the gateway child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`),
 * BENCH_GATEWAY_STDOUT (a file that collects the gateway's stdout, e.g. with `--trace-gc`),
 * BENCH_GATEWAY_ARGS (more `blfgw start` flags, e.g. `--no-idle-trim`),
 * BENCH_SKIP_PEER=1 (a quick look at our side only), BENCH_PRESENCE_PHASES (e.g. `fanout`; default
 * `sub fanout mem`), BENCH_FANOUT_RUNS (runs of the fan-out phase per server, default 3; the rows show
 * the median run), BENCH_PIN=0 (no CPU split in the fan-out phase, cpu-split.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './bench-row.js';
import { parseResults, runAnchor, waitForSip, type AnchorResults, type FanoutRow, type SubRow } from './anchor-run.js';
import { fanoutCpuSplit, kamailioShim, pinned } from './cpu-split.js';
import { numberedPresentities, publishedDns, writeBenchDialplan, type BenchPresentities } from './presence-bench-dialplan.js';
import { SipPhone } from '../src/rigs/index.js';

const REPO = new URL('..', import.meta.url).pathname;
const words = (v: string | undefined, d: string) => (v ?? d).split(/\s+/).filter(Boolean);
const list = (v: string | undefined, d: string) => words(v, d).map(Number);
const SUB_RATES = list(process.env.BENCH_SUB_RATES, '1000 2000 4000 6000 7000 8000 10000 12000 15000 20000');
const FANOUT_NS = list(process.env.BENCH_FANOUT_NS, '100 1000 5000');
const MEM_COUNTS = list(process.env.BENCH_MEM_COUNTS, '10000 100000');
/** how long the gateway idles after start before the memory phase reads its baseline */
const MEM_BASELINE_IDLE_MS = 10_000;
const SUB_PRESENTITIES = 1000;
const PHASES = words(process.env.BENCH_PRESENCE_PHASES, 'sub fanout mem');
/** the fan-out phase runs this often on each server; the rows show the median run (`medianRuns`) */
const FANOUT_RUNS = Math.max(1, Number(process.env.BENCH_FANOUT_RUNS ?? 3));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function commonEnv(out: string, runId: string, target: string): Record<string, string> {
  return {
    OUT: out, RUNID: runId, TARGET: target, SUB_PRESENTITIES: String(SUB_PRESENTITIES),
    FANOUT_NS: FANOUT_NS.join(' '), MEM_COUNTS: MEM_COUNTS.join(' '),
    QUIET_WAIT: process.env.BENCH_QUIET_WAIT ?? '10',
  };
}

/**
 * One gateway process on the bench dialplan; a fresh SQLite file each time (no restored state).
 * `--no-digest`: the publishing bench device holds no credentials and registers by its From user, as
 * Kamailio's PUBLISH needs none; the watchers are the trunk's either way, so SUBSCRIBE is unchanged.
 */
class GatewayProcess {
  private child: ChildProcess | undefined;
  private phones: SipPhone[] = [];
  constructor(private readonly work: string, readonly port: number) {}

  get pid(): number { return this.child?.pid ?? 0; }

  /** `cpus`: a taskset CPU list for the gateway (cpu-split.ts) */
  async start(names: BenchPresentities, cpus?: string): Promise<void> {
    const dialplan = writeBenchDialplan(join(this.work, 'dialplan'), names);
    const db = join(this.work, 'gw.sqlite');
    rmSync(db, { force: true });
    rmSync(`${db}-wal`, { force: true });
    rmSync(`${db}-shm`, { force: true });
    const nodeFlags = words(process.env.BENCH_GATEWAY_NODE_FLAGS, '');
    const stdout = process.env.BENCH_GATEWAY_STDOUT ? openSync(process.env.BENCH_GATEWAY_STDOUT, 'a') : 'ignore';
    const args = [...nodeFlags, join(REPO, 'bin/blfgw.js'), 'start', '--dialplan', dialplan, '--db', db,
      '--bind', '127.0.0.1', '--sip-port', String(this.port), '--axl-port', '0', '--sccp-port', '0', '--log-level', 'warn', '--no-digest',
      ...words(process.env.BENCH_GATEWAY_ARGS, '')];
    const [command, argv] = cpus === undefined ? [process.execPath, args] : pinned(cpus, process.execPath, args);
    this.child = spawn(command, argv, { stdio: ['ignore', stdout, 'pipe'] });
    if (typeof stdout === 'number') closeSync(stdout); // the child holds its own copy
    let stderr = '';
    this.child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    const died = new Promise<never>((_, reject) => this.child!.once('exit', (code) =>
      reject(new Error(`gateway exited (${code}) before answering:\n${stderr}`))));
    await Promise.race([waitForSip('127.0.0.1', this.port, 300_000), died]);
    await this.registerPublishers(names);
  }

  /** A published line must have a registered device, else watchers see `unknown` whatever is published. */
  private async registerPublishers(names: BenchPresentities): Promise<void> {
    for (const dn of publishedDns(names)) {
      const phone = new SipPhone({ gatewayPort: this.port, domain: '127.0.0.1', dn });
      await phone.start();
      this.phones.push(phone);
      const status = await phone.register(3600);
      if (status !== 200) throw new Error(`bench device of line ${dn} could not register (${status})`);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.phones.map((p) => p.close()));
    this.phones = [];
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** (a) for the gateway: one run.sh call per rate, restarting the gateway first; stop at the first fail. */
async function gatewaySubSteps(gw: GatewayProcess, work: string, runId: string): Promise<SubRow[]> {
  const rows: SubRow[] = [];
  const step = async (rate: number): Promise<SubRow | undefined> => {
    await gw.start(numberedPresentities(`sub${runId}r${rate}x`, SUB_PRESENTITIES));
    try {
      const out = join(work, `gw-sub-${rate}`);
      const env = { ...commonEnv(out, runId, `127.0.0.1:${gw.port}`), MANAGE_KAMAILIO: '0', SERVER_PIDS: String(gw.pid),
        SUB_RATES: String(rate), SUB_REFINE: '0' };
      const row = parseResults(await runAnchor(['sub'], env, 10 * 60_000)).sub[0];
      if (row) rows.push(row);
      return row;
    } finally {
      await gw.stop();
    }
  };
  let best = 0;
  let firstFail = 0;
  for (const rate of SUB_RATES) {
    const row = await step(rate);
    if (row?.verdict === 'PASS') best = rate;
    else { firstFail = rate; break; }
  }
  const mid = Math.floor((best + firstFail) / 2);
  if (best > 0 && firstFail > 0 && mid > best && mid < firstFail) await step(mid);
  return rows;
}

async function gatewayPhase(gw: GatewayProcess, work: string, runId: string, phase: 'fanout' | 'mem', run = 1): Promise<AnchorResults> {
  const split = phase === 'fanout' ? fanoutCpuSplit() : null;
  await gw.start(phase === 'mem'
    ? numberedPresentities(`mem${runId}x`, SUB_PRESENTITIES)
    : { plain: [], published: FANOUT_NS.map((n) => `fan${n}x${runId}`) }, split?.server);
  // the anchor reads its baseline 1 s after this; let the gateway's first idle trim (6 idle seconds,
  // idle-memory-trim.ts Rule 3) give back its startup garbage first, so none of that is counted as
  // memory the subscriptions did not use
  if (phase === 'mem') await new Promise((r) => setTimeout(r, MEM_BASELINE_IDLE_MS));
  try {
    const out = join(work, run > 1 ? `gw-${phase}-${run}` : `gw-${phase}`);
    const env = { ...commonEnv(out, runId, `127.0.0.1:${gw.port}`), MANAGE_KAMAILIO: '0', SERVER_PIDS: String(gw.pid) };
    return parseResults(await runAnchor([phase], env, 30 * 60_000, split?.load));
  } finally {
    await gw.stop();
  }
}

/**
 * Kamailio through run.sh: the fan-out `FANOUT_RUNS` times on the split CPUs (Kamailio on the
 * server's, via a PATH shim), the other phases in one call as before.
 */
async function kamailioPhases(work: string, runId: string): Promise<AnchorResults> {
  const split = fanoutCpuSplit();
  const together = PHASES.filter((p) => p !== 'fanout' || split === null);
  const run = async (phases: string[], out: string, loadCpus?: string, path?: string) => {
    const env = { ...commonEnv(out, runId, `127.0.0.1:${await freePort()}`), SUB_RATES: SUB_RATES.join(' '),
      ...(path === undefined ? {} : { PATH: `${path}:${process.env.PATH ?? ''}` }) };
    return parseResults(await runAnchor(phases, env, 60 * 60_000, loadCpus));
  };
  const rest = together.length > 0 ? await run(together, join(work, 'kamailio')) : { sub: [], fanout: [], mem: [] };
  const fanout: FanoutRow[][] = rest.fanout.length > 0 ? [rest.fanout] : [];
  const shim = split === null ? undefined : kamailioShim(join(work, 'pinned-kamailio'), split);
  for (let r = fanout.length + 1; PHASES.includes('fanout') && r <= FANOUT_RUNS; r++) {
    fanout.push((await run(['fanout'], join(work, `kamailio-fanout-${r}`), split?.load, shim)).fanout);
  }
  return { ...rest, fanout: medianRuns(fanout) };
}

/** A fan-out result with the p99 of every run of its N. */
export type FanoutSummary = FanoutRow & { readonly runP99s: readonly number[] };

/**
 * Per N, the run whose wire p99 is the median of the runs (the lower middle one for an even count):
 * one run's p99 moves by ±30 % with what else the 2-CPU host does, so the rows show a middle run
 * and list every run's p99 beside it. p50 and SIPp's figures come from that same run.
 */
export function medianRuns(runs: readonly (readonly FanoutRow[])[]): FanoutSummary[] {
  const ns = [...new Set(runs.flat().map((f) => f.n))];
  return ns.map((n) => {
    const ofN = runs.flatMap((r) => r.filter((f) => f.n === n));
    const sorted = [...ofN].sort((a, b) => (Number.isNaN(a.p99) ? 1 : Number.isNaN(b.p99) ? -1 : a.p99 - b.p99));
    return { ...sorted[(sorted.length - 1) >> 1]!, runP99s: ofN.map((f) => f.p99) };
  });
}

/** The highest passing step; when none passed, the lowest step tried (so a CPU cost is still shown). */
function bestPass(rows: readonly SubRow[]): SubRow | undefined {
  return rows.filter((r) => r.verdict === 'PASS').sort((a, b) => b.rate - a.rate)[0]
    ?? [...rows].sort((a, b) => a.rate - b.rate)[0];
}

const perCpuSecond = (r: SubRow | undefined) => (r && r.cpuPct > 0 ? r.achieved / (r.cpuPct / 100) : 0);

const runList = (f: FanoutRow | FanoutSummary) => ('runP99s' in f ? f.runP99s : [f.p99]).map((p) => p.toFixed(1)).join(' / ');

export function presenceRows(ours: AnchorResults, kam: AnchorResults): BenchRow[] {
  const peerName = 'Kamailio 5.6 presence (anchor run.sh, same run)';
  const o = bestPass(ours.sub);
  const k = bestPass(kam.sub);
  const rows: BenchRow[] = [
    { name: `SUBSCRIBE + initial NOTIFY (step ${o?.rate ?? '-'}/s: ${o?.verdict ?? '-'}; peer step ${k?.rate ?? '-'}/s: ${k?.verdict ?? '-'})`, ours: o?.achieved ?? 0, peer: k?.achieved ?? null, peerName, unit: 'subs/s' },
    {
      name: 'subscriptions per CPU-second (at that rate)', ours: perCpuSecond(o), peer: k ? perCpuSecond(k) : null, peerName,
      unit: 'subs/CPU-s', target: '≥ 2× peer', met: k ? perCpuSecond(o) >= 2 * perCpuSecond(k) : undefined,
    },
  ];
  for (const f of ours.fanout) {
    const peer = kam.fanout.find((x) => x.n === f.n);
    const target = f.n === 5000 ? '≤ 50 ms' : undefined;
    rows.push({
      name: `fan-out p99 on the wire, ${f.n} watchers (${f.notifies} NOTIFYs with the new state; median of runs ${runList(f)}${peer ? `, peer ${runList(peer)}` : ''})`,
      ours: f.p99, peer: peer?.p99 ?? null, peerName,
      unit: 'ms', better: 'lower', target, met: target ? f.p99 <= 50 : undefined,
    });
    rows.push({ name: `fan-out p50 on the wire, ${f.n} watchers`, ours: f.p50, peer: peer?.p50 ?? null, peerName, unit: 'ms', better: 'lower' });
    rows.push({
      name: `fan-out p99 as SIPp logs it, ${f.n} watchers (${f.appReceived} received)`, ours: f.appP99, peer: peer?.appP99 ?? null, peerName,
      unit: 'ms', better: 'lower',
    });
  }
  const om = ours.mem.at(-1);
  const km = kam.mem.at(-1);
  if (om?.pssPerSub != null) {
    rows.push({
      name: `memory per subscription at ${om.subs} (ours: PSS delta; Kamailio: shm delta)`, ours: om.pssPerSub,
      peer: km?.shmPerSub ?? km?.pssPerSub ?? null, peerName, unit: 'B/sub', better: 'lower',
      target: '≤ 640 B', met: om.pssPerSub <= 640,
    });
    // like with like: Kamailio's own PSS delta (its RSS/PSS also carry the tm transaction peak)
    if (km?.pssPerSub != null) {
      rows.push({
        name: `memory per subscription at ${om.subs}, PSS delta on both sides`, ours: om.pssPerSub, peer: km.pssPerSub, peerName,
        unit: 'B/sub', better: 'lower',
      });
    }
  }
  return rows;
}

export async function runPresenceBench(): Promise<BenchRow[]> {
  for (const tool of ['sipp', 'kamailio', 'python3']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      console.error(`presence bench: ${tool} is missing; section skipped`);
      return [];
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'blfgw-presence-bench-'));
  const runId = String(Math.floor(Date.now() / 1000) % 100000);
  console.error(`presence bench: work folder ${work}`);
  const skipPeer = process.env.BENCH_SKIP_PEER === '1';
  console.error(skipPeer ? 'presence bench: BENCH_SKIP_PEER=1, Kamailio not measured' : `presence bench: Kamailio (run.sh ${PHASES.join(' ')}; fan-out ×${FANOUT_RUNS})…`);
  const kam = skipPeer ? { sub: [], fanout: [], mem: [] } : await kamailioPhases(work, runId);
  const gw = new GatewayProcess(work, await freePort());
  console.error(`presence bench: gateway (run.sh per step; fan-out ×${FANOUT_RUNS})…`);
  const sub = PHASES.includes('sub') ? await gatewaySubSteps(gw, work, runId) : [];
  const fanout: FanoutRow[][] = [];
  for (let r = 1; PHASES.includes('fanout') && r <= FANOUT_RUNS; r++) fanout.push((await gatewayPhase(gw, work, runId, 'fanout', r)).fanout);
  const mem = PHASES.includes('mem') ? (await gatewayPhase(gw, work, runId, 'mem')).mem : [];
  const ours: AnchorResults = { sub, fanout: medianRuns(fanout), mem };
  console.error(`presence bench: raw results in ${work} (kamailio*/results.tsv, gw-*/results.tsv)`);
  return presenceRows(ours, kam);
}
