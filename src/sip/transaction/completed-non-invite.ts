/**
 * The Completed state of a non-INVITE server transaction over an unreliable transport
 * (RFC 3261 §17.2.2), kept as a small record instead of the whole transaction.
 *
 * "While in the "Completed" state, the server transaction MUST pass the final response to the
 * transport layer for retransmission whenever a retransmission of the request is received" — for
 * Timer J, 64*T1 (32 s). At thousands of requests a second that many transactions are alive at once,
 * and each full one holds the parsed request, the response and its timer slots (about 5 kB under a
 * SIPp OPTIONS load, where heap growth and page zeroing led the profile). This record holds only the
 * key, the final response, the flow and Timer J.
 *
 * Rule 1: it answers request retransmissions with the final response and nothing else; the TU's
 *         `ServerTransaction` is terminated from its own point of view once it handed over.
 * Rule 2: a transport error while re-sending ends it (the §17.2.4 "Terminated" move) with a log line;
 *         the TU was told nothing then either, as with the full transaction in this state.
 */
import type { SipResponse } from '../message/index.js';
import type { Flow } from '../transport/index.js';
import type { TimerHandle } from './clock.js';
import type { TransactionHost } from './transaction-host.js';

export class CompletedNonInvite {
  readonly side = 'server' as const;
  private readonly timerJ: TimerHandle;
  private done = false;

  constructor(
    private readonly host: TransactionHost,
    readonly key: string,
    private readonly response: SipResponse,
    private readonly flow: Flow,
  ) {
    response.headers.forgetParsed(); // kept only to be re-sent
    // "Timer J … 64*T1 seconds for unreliable transports"
    this.timerJ = host.clock.setTimer(64 * host.timers.T1, () => this.end());
  }

  get state(): 'completed' | 'terminated' {
    return this.done ? 'terminated' : 'completed';
  }

  /** A retransmission of the request: pass the final response to the transport again. */
  receiveRequest(): void {
    if (this.done) return;
    this.host.send(this.response, this.flow).catch((err: unknown) => {
      this.host.logger.warn('server transaction send failed', { key: this.key, err: String(err) });
      this.end();
    });
  }

  dispose(): void {
    if (this.done) return;
    this.done = true;
    this.host.clock.clearTimer(this.timerJ);
  }

  private end(): void {
    if (this.done) return;
    this.dispose();
    this.host.forget(this);
  }
}
