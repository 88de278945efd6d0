/**
 * This process's CPU time over an interval of wall time: what the idle-time memory work
 * (idle-memory-trim.ts, idle-young-gc.ts) reads to tell a quiet gateway from a busy one.
 * The interval restarts when the caller says, after its own work, so a pause it caused is not
 * counted as load in the next interval.
 */
export class CpuInterval {
  private lastCpu = process.cpuUsage();
  private lastWall = process.hrtime.bigint();

  /** CPU used (user + system) and wall time since the interval started, microseconds. */
  read(): { readonly cpuMicros: number; readonly wallMicros: number } {
    const cpu = process.cpuUsage(this.lastCpu);
    return { cpuMicros: cpu.user + cpu.system, wallMicros: Number(process.hrtime.bigint() - this.lastWall) / 1000 };
  }

  restart(): void {
    this.lastCpu = process.cpuUsage();
    this.lastWall = process.hrtime.bigint();
  }
}
