/** One line of the benchmark table: our figure beside a peer measured in the same run. */
export interface BenchRow {
  readonly name: string;
  readonly ours: number;
  readonly peer: number | null;
  readonly peerName: string;
  readonly unit: string;
  /** 'higher' (throughput, default) or 'lower' (latency, memory) is better */
  readonly better?: 'higher' | 'lower';
  /** the target the issue set, in words, e.g. "≥ 2× peer" */
  readonly target?: string;
  /** did we meet the target (when it can be judged numerically) */
  readonly met?: boolean;
}

/** Ratio oriented so that > 1 always means "we are better". */
export function advantage(row: BenchRow): number | null {
  if (row.peer === null || row.peer === 0 || row.ours === 0) return null;
  return row.better === 'lower' ? row.peer / row.ours : row.ours / row.peer;
}
