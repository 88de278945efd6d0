/**
 * The bench dialplan for the presence benchmark: the anchor's SIPp scenarios (shared/bench/anchor-kamailio)
 * subscribe to presentities named `sub<RUN>r<rate>x00001`, `fan<N>x<RUN>` and `mem<RUN>x00001` at
 * 127.0.0.1, from watchers `sip:wN@127.0.0.1` that hold no credentials, as on Kamailio. Here those names
 * are lines' directory URIs; the watchers come in through a trunk whose access list is 127.0.0.1, so
 * policy (trunk SUBSCRIBE CSS, presence groups) still runs for every SUBSCRIBE. The fan-out lines sit on a
 * device of their own, so the scenario's PUBLISH (From = the presentity) is that device's line-side PUBLISH.
 * The publishing device registers its line first (the harness does, with the gateway's `--no-digest`):
 * a line with no registered device is `unknown` to watchers, whatever is published on it.
 * The gateway restarts before every step anyway, so each step gets a dialplan of just its own names.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The presentities one run.sh step addresses: plain ones are only watched, published ones get a PUBLISH. */
export interface BenchPresentities {
  readonly plain: readonly string[];
  readonly published: readonly string[];
}

const pad5 = (i: number) => String(i).padStart(5, '0');

/** (a) step at `rate` and (c): run.sh's names `<prefix>00001` … (P presentities, round-robin). */
export function numberedPresentities(prefix: string, count: number): BenchPresentities {
  return { plain: Array.from({ length: count }, (_, i) => `${prefix}${pad5(i + 1)}`), published: [] };
}

/** The synthetic DN of the i-th name (plain names first, then published ones). */
export const benchDn = (i: number) => `9${String(i).padStart(6, '0')}`;

/** The DNs of the published names, which the harness registers before run.sh PUBLISHes on them. */
export function publishedDns({ plain, published }: BenchPresentities): string[] {
  return published.map((_, i) => benchDn(plain.length + i));
}

/** Writes the dialplan folder; returns its path. */
export function writeBenchDialplan(dir: string, { plain, published }: BenchPresentities): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
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
  const lines = ['lines:', ...all.map((name, i) => `  - { dn: "${benchDn(i)}", partition: Bench_PT, directoryUri: ${name} }`)];
  const phones = ['phones:', ...published.map((name) => {
    const i = all.indexOf(name);
    return `  - { name: BENCH${String(i).padStart(6, '0')}, protocol: sip, model: Cisco 8845, lines: [{ index: 1, dn: "${benchDn(i)}", partition: Bench_PT }] }`;
  })];
  writeFileSync(join(dir, 'service.yaml'), service);
  writeFileSync(join(dir, 'routing.yaml'), routing);
  writeFileSync(join(dir, 'lines.yaml'), all.length ? lines.join('\n') + '\n' : 'lines: []\n');
  writeFileSync(join(dir, 'phones.yaml'), published.length ? phones.join('\n') + '\n' : 'phones: []\n');
  return dir;
}
