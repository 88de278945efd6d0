/**
 * Server transactions (RFC 3261 §17.2, RFC 6026 §7.1): INVITE and non-INVITE, driven by the
 * tables in `transaction-tables.ts` over an injected clock.
 *
 * Rule 1: request retransmissions never reach the TU; they are absorbed or answered with the
 *         last response (§17.2.1, §17.2.2).
 * Rule 2: `respond()` after the transaction terminated (e.g. the peer's connection died) is logged
 *         and returns false — the TU cannot always know, so it is not a bug; any other illegal
 *         move (a second final on a non-INVITE) throws.
 * Rule 3: INVITE: 100 Trying after 200 ms without a TU response; a 2xx is retransmitted (§13.3.1.4,
 *         T1 doubling to T2) until the ACK arrives or Timer L fires.
 */
import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import type { Flow } from '../transport/index.js';
import type { TransportFailure } from '../errors.js';
import {
  transition, NIST_TABLE, IST_TABLE, type NistEvent, type NistState, type IstEvent, type IstState,
} from './transaction-tables.js';
import { TimerSlots, type TransactionHost } from './transaction-host.js';

export interface ServerTransactionDelegate {
  /** a CANCEL matched this INVITE transaction (the stack already answered the CANCEL 200); send 487 */
  onCancel?(cancel: SipRequest, tx: ServerTransaction): void;
  /** the ACK for our 2xx arrived on this transaction's key (RFC 6026 Accepted) */
  onAck?(ack: SipRequest, tx: ServerTransaction): void;
  /** Timer H (no ACK for a non-2xx) or Timer L without ACK for our 2xx */
  onTimeout?(tx: ServerTransaction): void;
  onTransportError?(error: TransportFailure, tx: ServerTransaction): void;
  onTerminated?(tx: ServerTransaction): void;
}

export class ServerTransaction {
  readonly side = 'server' as const;
  readonly isInvite: boolean;
  state: NistState | IstState;
  delegate: ServerTransactionDelegate = {};
  /** the last response sent (resent on request retransmissions) */
  lastResponse?: SipResponse;
  /** set when a CANCEL matched this INVITE */
  cancelled = false;
  private acked = false;
  private interval: number;
  private readonly timers: TimerSlots;
  private lastError?: string;

  constructor(
    private readonly host: TransactionHost,
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
  ) {
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'proceeding' : 'trying';
    this.interval = host.timers.T1;
    this.timers = new TimerSlots(host.clock);
    if (this.isInvite) this.timers.start('trying100', host.timers.trying100 ?? 200, () => this.fire('timer100'));
  }

  get reliable(): boolean {
    return this.flow.transport !== 'udp';
  }

  /** Send a response from the TU. Returns false when the transaction had already terminated. */
  respond(response: SipResponse): boolean {
    if (this.state === 'terminated') {
      this.host.logger.info('response after server transaction terminated dropped', { key: this.key, status: response.status });
      return false;
    }
    const s = response.status;
    if (this.isInvite) this.fire(s < 200 ? 'tuProvisional' : s < 300 ? 'tuSuccess' : 'tuFailure', response);
    else this.fire(s < 200 ? 'tuProvisional' : 'tuFinal', response);
    return true;
  }

  /** Shorthand: `respond(createResponse(this.request, status, reason, opts))`. */
  reply(status: number, reason?: string, opts?: Parameters<typeof createResponse>[3]): SipResponse {
    const res = createResponse(this.request, status, reason, opts);
    this.respond(res);
    return res;
  }

  /** A retransmission of the request arrived (matched by the stack). */
  receiveRequest(): void {
    if (this.state !== 'terminated') this.fire('request');
  }

  /** An ACK matched this INVITE transaction. */
  receiveAck(ack: SipRequest): void {
    if (this.state === 'terminated' || !this.isInvite) return;
    this.fire('ack', ack);
  }

  dispose(): void {
    this.timers.stopAll();
    this.state = 'terminated';
  }

  private fire(event: NistEvent | IstEvent, msg?: SipResponse | SipRequest): void {
    const row = this.isInvite
      ? transition('invite-server', IST_TABLE, this.state as IstState, event as IstEvent)
      : transition('non-invite-server', NIST_TABLE, this.state as NistState, event as NistEvent);
    this.state = row.next;
    this.run(row.action, msg);
    if (this.state === 'terminated') this.terminate();
  }

  private run(action: string, msg?: SipResponse | SipRequest): void {
    const { T1, T2, T4 } = this.host.timers;
    switch (action) {
      case 'sendTrying':
        if (this.lastResponse === undefined) this.transmit(createResponse(this.request, 100));
        return;
      case 'resendLast':
        if (this.lastResponse) this.transmit(this.lastResponse);
        return;
      case 'sendResponse':
        this.timers.stop('trying100');
        this.transmit(msg as SipResponse);
        return;
      case 'sendFinal':
        if (this.handsOverAtOnce()) return this.transmitAndHandOver(msg as SipResponse);
        this.transmit(msg as SipResponse);
        // "Timer J … 64*T1 seconds for unreliable transports, and zero seconds for reliable transports"
        this.timers.start('J', this.reliable ? 0 : 64 * T1, () => this.fire('timerJ'));
        return;
      case 'sendFailure':
        this.timers.stop('trying100');
        this.transmit(msg as SipResponse);
        // "For unreliable transports, timer G is set to fire in T1 seconds … Timer H MUST be set to fire in 64*T1 seconds for all transports"
        if (!this.reliable) this.timers.start('G', T1, () => this.fire('timerG'));
        this.timers.start('H', 64 * T1, () => this.fire('timerH'));
        return;
      case 'sendSuccess':
        this.sendSuccess(msg as SipResponse);
        return;
      case 'retransmitFinal':
        this.retransmitFinal(T2);
        return;
      case 'confirm':
        this.timers.stopAll();
        // "Timer I … T4 seconds for unreliable transports, and zero seconds for reliable transports"
        this.timers.start('I', this.reliable ? 0 : T4, () => this.fire('timerI'));
        return;
      case 'passAck':
        this.acked = true;
        this.timers.stop('retransmit2xx');
        this.delegate.onAck?.(msg as SipRequest, this);
        return;
      case 'ackTimeout':
        this.delegate.onTimeout?.(this);
        return;
      case 'reportTransportError':
        this.delegate.onTransportError?.({ kind: 'transport-error', reason: this.lastError ?? 'transport error' }, this);
        return;
      case 'destroy':
        if (this.state === 'terminated' && this.isInvite && this.lastResponse && this.lastResponse.status < 300 && !this.acked) {
          this.delegate.onTimeout?.(this);
        }
        return;
      default: // absorb
        return;
    }
  }

  private sendSuccess(res: SipResponse): void {
    const first = !this.timers.has('L');
    this.timers.stop('trying100');
    this.transmit(res);
    if (!first) return;
    this.timers.stop('G');
    // RFC 6026 §7.1: "Timer L … 64*T1"; RFC 3261 §13.3.1.4: 2xx retransmitted starting at T1
    this.timers.start('L', 64 * this.host.timers.T1, () => this.fire('timerL'));
    this.interval = this.host.timers.T1;
    this.timers.start('retransmit2xx', this.interval, () => this.fire('retransmit2xx'));
  }

  private retransmitFinal(T2: number): void {
    if (this.lastResponse) this.transmit(this.lastResponse);
    this.interval = Math.min(this.interval * 2, T2);
    const name = this.state === 'accepted' ? 'retransmit2xx' : 'G';
    this.timers.start(name, this.interval, () => this.fire(name === 'G' ? 'timerG' : 'retransmit2xx'));
  }

  private transmit(res: SipResponse): void {
    this.lastResponse = res;
    this.host.send(res, this.flow).then(() => this.handOverCompleted(res), (err: unknown) => {
      this.lastError = String(err);
      this.host.logger.warn('server transaction send failed', { key: this.key, err: this.lastError });
      const row = this.isInvite ? IST_TABLE[this.state as IstState].transportError : NIST_TABLE[this.state as NistState].transportError;
      if (row !== undefined) this.fire('transportError');
    });
  }

  /**
   * A final non-INVITE response over UDP that no TU waits on for a transport error: the Completed state
   * becomes a table row (completed-non-invite.ts) as the response is handed to the transport, so this
   * transaction, its request and response are garbage before the send batch leaves at the end of the
   * loop turn (udp-send-queue.ts). Kept until the send instead, they outlived young-generation GCs:
   * 4× the bytes promoted and ~20 % more CPU per transaction under SIPp load.
   */
  private handsOverAtOnce(): boolean {
    return this.mayHandOver() && this.delegate.onTransportError === undefined;
  }

  /** A non-INVITE over UDP whose host keeps Completed states as table rows. */
  private mayHandOver(): boolean {
    return !this.isInvite && !this.reliable && this.host.retainCompleted !== undefined;
  }

  private transmitAndHandOver(res: SipResponse): void {
    this.lastResponse = res;
    this.host.send(res, this.flow).catch((err: unknown) => {
      // RFC 3261 §17.2.4 would move to Terminated; the row already stands for this state, and a
      // retransmitted request that finds it re-sends and drops it on a second failure (its Rule 4)
      this.host.logger.warn('server transaction send failed', { key: this.key, err: String(err) });
    });
    this.timers.stopAll();
    this.host.retainCompleted!(this.key, res, this.flow, this.request);
    this.state = 'terminated'; // fire() terminates it once run() returns
  }

  /**
   * Once the final response of a non-INVITE went out over UDP, the host may keep the Completed state
   * as a small record (completed-non-invite.ts) so this transaction, its request and timers can go;
   * waiting for the send keeps a transport error on that first send reported to the TU.
   */
  private handOverCompleted(res: SipResponse): void {
    if (!this.mayHandOver() || this.state !== 'completed' || this.lastResponse !== res) return;
    this.timers.stopAll();
    this.host.retainCompleted!(this.key, res, this.flow, this.request); // mayHandOver() saw it
    this.state = 'terminated';
    this.terminate();
  }

  private terminate(): void {
    this.timers.stopAll();
    this.host.forget(this);
    this.delegate.onTerminated?.(this);
  }
}
