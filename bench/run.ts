/**
 * `npm run bench`: runs every benchmark module (peers measured in the same run) and prints one table
 * with ratios. Pick sections with `npm run bench -- sip presence axl publish` (default: all available).
 * Figures land in bench/out/<timestamp>.json as well. Not a test: nothing here fails the build.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { advantage, type BenchRow } from './bench-row.js';

interface Section {
  readonly name: string;
  readonly file: string;
  readonly fn: string;
}

const SECTIONS: readonly Section[] = [
  { name: 'sip', file: './sip-bench.ts', fn: 'runSipBench' },
  { name: 'presence', file: './presence-bench.ts', fn: 'runPresenceBench' },
  { name: 'publish', file: './publish-bench.ts', fn: 'runPublishBench' },
  { name: 'axl', file: './axl-bench.ts', fn: 'runAxlBench' },
];

function fmt(n: number | null): string {
  if (n === null || Number.isNaN(n)) return '-';
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(2);
}

function printTable(rows: readonly BenchRow[]): void {
  const header = ['benchmark', 'ours', 'peer', 'peer is', 'unit', 'advantage', 'target'];
  const lines = rows.map((r) => {
    const adv = advantage(r);
    return [r.name, fmt(r.ours), fmt(r.peer), r.peerName, r.unit, adv === null ? '-' : `${adv.toFixed(2)}×`,
      r.target ? `${r.target}${r.met === undefined ? '' : r.met ? ' ✓' : ' ✗'}` : ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const show = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(show(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const l of lines) console.log(show(l));
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const rows: BenchRow[] = [];
  for (const section of SECTIONS) {
    if (wanted.length && !wanted.includes(section.name)) continue;
    const path = new URL(section.file, import.meta.url);
    if (!existsSync(path)) {
      console.error(`bench: section ${section.name} not present (${section.file})`);
      continue;
    }
    console.error(`bench: running ${section.name} …`);
    try {
      const mod = (await import(path.href)) as Record<string, (o: object) => Promise<BenchRow[]>>;
      rows.push(...(await mod[section.fn]!({})));
    } catch (err) {
      console.error(`bench: section ${section.name} failed:`, err);
    }
  }
  printTable(rows);
  mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
  const out = new URL(`./out/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
  writeFileSync(out, JSON.stringify(rows, null, 2));
  console.error(`bench: figures written to ${out.pathname}`);
}

await main();
