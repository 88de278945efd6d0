/**
 * The bench dialplan for the presence benchmark: the anchor's SIPp scenarios (shared/bench/anchor-kamailio)
 * subscribe to presentities named `sub<RUN>r<rate>x00001`, `fan<N>x<RUN>` and `mem<RUN>x00001` at
 * 127.0.0.1, from watchers `sip:wN@127.0.0.1` that hold no credentials, as on Kamailio. Here those names
 * are lines' directory URIs; the watchers come in through a trunk whose access list is 127.0.0.1, so
 * policy (trunk SUBSCRIBE CSS, presence groups) still runs for every SUBSCRIBE. The fan-out lines sit on a
 * device of their own, so the scenario's PUBLISH (From = the presentity) is that device's line-side PUBLISH.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchDialplanSpec {
  readonly runId: string;
  /** (a) rates; the bisection midpoints between neighbours are added, as run.sh may try them */
  readonly subRates: readonly number[];
  readonly subPresentities: number;
  readonly fanoutNs: readonly number[];
}

const pad5 = (i: number) => String(i).padStart(5, '0');

/** Every rate run.sh can step through: the list and each midpoint of neighbours. */
export function ratesWithMidpoints(rates: readonly number[]): number[] {
  const all = new Set(rates);
  const sorted = [...rates].sort((a, b) => a - b);
  for (let i = 0; i + 1 < sorted.length; i++) all.add(Math.floor((sorted[i]! + sorted[i + 1]!) / 2));
  return [...all].sort((a, b) => a - b);
}

/** The presentity names run.sh will use with this spec. */
export function benchPresentities(spec: BenchDialplanSpec): { plain: string[]; published: string[] } {
  const plain: string[] = [];
  for (const rate of ratesWithMidpoints(spec.subRates)) {
    for (let i = 1; i <= spec.subPresentities; i++) plain.push(`sub${spec.runId}r${rate}x${pad5(i)}`);
  }
  for (let i = 1; i <= spec.subPresentities; i++) plain.push(`mem${spec.runId}x${pad5(i)}`);
  const published = spec.fanoutNs.map((n) => `fan${n}x${spec.runId}`);
  return { plain, published };
}

/** Writes the dialplan folder; returns its path. */
export function writeBenchDialplan(dir: string, spec: BenchDialplanSpec): string {
  mkdirSync(dir, { recursive: true });
  const { plain, published } = benchPresentities(spec);
  const service = `service:
  domain: 127.0.0.1
  interPresenceGroupPolicy: Allowed
  blfForCallLists: true
  subscribeDefaultExpires: 3600
  subscribeMinExpires: 60
  subscribeMaxExpires: 7200
  publishExpires: 3600
  ports: { sip: 5060, sipTransports: [udp] }
`;
  const routing = `partitions:
  - { name: Bench_PT }
callingSearchSpaces:
  - { name: Bench_CSS, partitions: [Bench_PT] }
trunks:
  - name: bench-watchers
    description: the SIPp watchers of the anchor benchmark (no credentials, as on Kamailio)
    destination: { host: 127.0.0.1, port: 9, transport: udp }
    accessList: [127.0.0.1/32]
    subscribeCss: Bench_CSS
`;
  // DNs are synthetic (9 + index); the directory URI is what the scenarios address.
  const all = [...plain, ...published];
  const lines = ['lines:', ...all.map((name, i) => `  - { dn: "9${String(i).padStart(6, '0')}", partition: Bench_PT, directoryUri: ${name} }`)];
  const phones = ['phones:', ...published.map((name) => {
    const i = all.indexOf(name);
    return `  - { name: BENCH${String(i).padStart(6, '0')}, protocol: sip, model: Cisco 8845, lines: [{ index: 1, dn: "9${String(i).padStart(6, '0')}", partition: Bench_PT }] }`;
  })];
  writeFileSync(join(dir, 'service.yaml'), service);
  writeFileSync(join(dir, 'routing.yaml'), routing);
  writeFileSync(join(dir, 'lines.yaml'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'phones.yaml'), phones.join('\n') + '\n');
  return dir;
}
