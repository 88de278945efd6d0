/**
 * Runs the Kamailio anchor benchmark driver (shared/bench/anchor-kamailio/run.sh) and reads its
 * results.tsv. The same driver, scenarios and knobs measure both servers, so rows compare like with like.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { pinned } from './cpu-split.js';

export const ANCHOR_DIR = process.env.ANCHOR_DIR ?? new URL('../../shared/bench/anchor-kamailio/', import.meta.url).pathname;

export interface SubRow { readonly rate: number; readonly achieved: number; readonly cpuPct: number; readonly verdict: string }
/** p50/p99: from the PUBLISH to each changed NOTIFY on the wire (pcap); app*: SIPp's own receive times */
export interface FanoutRow {
  readonly n: number;
  readonly notifies: number;
  readonly p50: number;
  readonly p99: number;
  readonly appReceived: number;
  readonly appP50: number;
  readonly appP99: number;
}
export interface MemRow { readonly subs: number; readonly shmPerSub: number | null; readonly pssPerSub: number | null }
export interface AnchorResults { readonly sub: SubRow[]; readonly fanout: FanoutRow[]; readonly mem: MemRow[] }

const num = (s: string | undefined): number => (s === undefined || s === '-' || s === '' ? NaN : Number(s));

/** Parses run.sh's results.tsv (rows start with the phase name; `#` and header rows are skipped). */
export function parseResults(file: string): AnchorResults {
  const out: AnchorResults = { sub: [], fanout: [], mem: [] };
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const c = line.split('\t');
    if (c[0] === 'sub' && c[1] !== 'rate_target') {
      out.sub.push({ rate: num(c[1]), achieved: num(c[8]), cpuPct: num(c[9]), verdict: c[14] ?? '' });
    } else if (c[0] === 'fanout' && c[1] !== 'N') {
      // wire_* (the measure: trigger to each NOTIFY on the wire) counts NOTIFYs whose body carries
      // the published state; app_* adds SIPp's own receive path. Both the same way for both servers.
      out.fanout.push({
        n: num(c[1]), notifies: num(c[3]), p50: num(c[4]), p99: num(c[5]), appReceived: num(c[8]), appP50: num(c[9]), appP99: num(c[10]),
      });
    } else if (c[0] === 'mem' && c[1] !== 'active_subs' && c[1] !== '0') {
      const shm = num(c[4]);
      const pss = num(c[7]);
      out.mem.push({ subs: num(c[1]), shmPerSub: Number.isNaN(shm) ? null : shm, pssPerSub: Number.isNaN(pss) ? null : pss });
    }
  }
  return out;
}

/**
 * Runs run.sh with the given phases and environment; resolves with its results.tsv path. With
 * `loadCpus`, run.sh and everything it starts run on those CPUs (cpu-split.ts).
 */
export function runAnchor(phases: string[], env: Record<string, string>, timeoutMs: number, loadCpus?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const script = [join(ANCHOR_DIR, 'run.sh'), ...phases];
    const [command, args] = loadCpus === undefined ? ['bash', script] : pinned(loadCpus, 'bash', script);
    const child = spawn(command, args, {
      env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
      if (process.env.BENCH_VERBOSE) process.stderr.write(d);
    });
    const killer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const file = join(env.OUT!, 'results.tsv');
      if (existsSync(file)) resolve(file);
      else reject(new Error(`run.sh ${phases.join(' ')} exited ${code} without results:\n${tail}`));
    });
  });
}

/** Sends OPTIONS over UDP until a final response comes back (a server is up), bounded by `ms`. */
export async function waitForSip(host: string, port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const local = socket.address().port;
  try {
    let answered = false;
    socket.on('message', (m) => { if (/^SIP\/2\.0 [2-6]\d\d/.test(m.toString())) answered = true; });
    for (let i = 0; !answered && Date.now() < end; i++) {
      const msg = [`OPTIONS sip:${host}:${port} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKprobe${i}x${Date.now()}`,
        'Max-Forwards: 70', `From: <sip:probe@127.0.0.1>;tag=p${i}`, `To: <sip:${host}>`, `Call-ID: probe-${i}-${Date.now()}`,
        'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n');
      socket.send(msg, port, host);
      await new Promise((r) => setTimeout(r, 250));
    }
    if (!answered) throw new Error(`no SIP answer from ${host}:${port} within ${ms} ms`);
  } finally {
    socket.close();
  }
}
