/**
 * What a transaction needs from the layer that owns it (the `SipStack`), and the timer constants
 * (RFC 3261 §17.1.1.1, Table 4). Pure types + defaults; T1/T2/T4 are passed in, never global.
 */
import type { SipMessage, SipRequest, SipResponse } from '../message/index.js';
import type { Destination, Flow, SipLogger } from '../transport/index.js';
import type { Clock } from './clock.js';

export interface TimerConfig {
  /** RTT estimate, default 500 ms */
  T1: number;
  /** maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s */
  T2: number;
  /** maximum duration a message will remain in the network, default 5 s */
  T4: number;
  /** RFC 3261 §17.1.1.2: "Timer D … at least 32 seconds for unreliable transports" */
  timerD?: number;
  /** §17.2.1: 100 Trying after this long without a TU response (default 200 ms) */
  trying100?: number;
}

export const DEFAULT_TIMERS: Readonly<TimerConfig> = { T1: 500, T2: 4000, T4: 5000, timerD: 32_000, trying100: 200 };

export interface TransactionHost {
  readonly clock: Clock;
  readonly timers: TimerConfig;
  readonly logger: SipLogger;
  /** serialize + send; rejects on transport failure */
  send(msg: SipMessage, to: Flow | Destination): Promise<Flow>;
  /** the transaction reached 'terminated': drop it from the tables (unless another entry took its key) */
  forget(tx: { key: string; side: 'client' | 'server' }): void;
  /** optional: keep a non-INVITE's Completed state (UDP) under its key as a row of `CompletedNonInviteTable` */
  retainCompleted?(key: string, finalResponse: SipResponse, flow: Flow, request?: SipRequest): void;
  /** optional: keep a non-INVITE client's Completed state (UDP, Timer K) as a bare key that absorbs finals */
  retainCompletedClient?(key: string): void;
}

/** Timer slots a transaction may hold (RFC names, plus the §17.2.1 100-Trying and §13.3.1.4 2xx retransmission). */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'trying100' | 'retransmit2xx';

/** A small set of armed timers (≤ 2 at a time in practice). */
export class TimerSlots {
  private readonly slots: Array<[TimerName, { id: number }]> = [];

  constructor(private readonly clock: Clock) {}

  start(name: TimerName, ms: number, fn: () => void): void {
    this.stop(name);
    this.slots.push([name, this.clock.setTimer(ms, () => {
      this.remove(name);
      fn();
    })]);
  }

  stop(name: TimerName): void {
    const i = this.slots.findIndex((s) => s[0] === name);
    if (i >= 0) {
      this.clock.clearTimer(this.slots[i][1]);
      this.slots.splice(i, 1);
    }
  }

  stopAll(): void {
    for (const [, h] of this.slots) this.clock.clearTimer(h);
    this.slots.length = 0;
  }

  has(name: TimerName): boolean {
    return this.slots.some((s) => s[0] === name);
  }

  private remove(name: TimerName): void {
    const i = this.slots.findIndex((s) => s[0] === name);
    if (i >= 0) this.slots.splice(i, 1);
  }
}
