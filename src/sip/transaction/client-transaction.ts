/**
 * Client transactions (RFC 3261 §17.1, RFC 6026 §7.2): INVITE and non-INVITE, driven by the
 * tables in `transaction-tables.ts` over an injected clock.
 *
 * Rule 1: retransmissions only on unreliable transports (§17.1.1.2 / §17.1.2.2), capped at T2.
 * Rule 2: the TU hears each response once per arrival it cares about (absorbed rows stay silent),
 *         and exactly one of onTimeout / onTransportError when the transaction fails.
 * Rule 3 (RFC 3263 §4.3 failover): given alternates (`start(first, rest)`), a failed attempt —
 *         transport error, Timer B/F without any response, or a 503 — restarts this same object
 *         towards the next alternate with a new top Via branch (a new transaction on the wire; the
 *         host re-keys us). The TU keeps one object and one delegate and hears only the outcome
 *         of the last attempt; each alternate is tried at most once.
 *
 * Theory (why restart in place, not a wrapper): TUs hold the object `sendRequest` returned and
 * read `request` / `flow` to build the CANCEL (§9.1), so that object must always describe the
 * attempt on the wire. An abandoned attempt that ended in 'completed' (503) still owes §17.1
 * duties (re-ACK retransmitted finals until Timer D, absorb until Timer K): that tail is handed
 * to a silent copy registered under the old key (`handOff`).
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { Destination, Flow } from '../transport/index.js';
import type { TransportFailure } from '../errors.js';
import {
  transition, NICT_TABLE, ICT_TABLE, type NictEvent, type NictState, type IctEvent, type IctState,
} from './transaction-tables.js';
import { TimerSlots, type TransactionHost } from './transaction-host.js';
import { createNon2xxAck } from './build-ack-cancel.js';

export interface ClientTransactionDelegate {
  /** every provisional and final response the TU must see (2xx retransmissions too, RFC 6026) */
  onResponse?(response: SipResponse, tx: ClientTransaction): void;
  /** Timer B / Timer F fired */
  onTimeout?(tx: ClientTransaction): void;
  onTransportError?(error: TransportFailure, tx: ClientTransaction): void;
  onTerminated?(tx: ClientTransaction): void;
}

/** What a transaction needs from its host to fail over (the `SipStack`; optional for bare hosts). */
export interface ClientTransactionHost extends TransactionHost {
  /**
   * RFC 3263 §4.3: give `tx.request` a new top Via branch fit for `next`, move `tx` to its new key
   * and register `abandoned` (the old attempt's 'completed' tail, if any) under the old one.
   * Returns the new key.
   */
  rebranch?(tx: ClientTransaction, next: Destination, abandoned?: ClientTransaction): string;
}

export class ClientTransaction {
  readonly side = 'client' as const;
  readonly isInvite: boolean;
  state: NictState | IctState;
  /** the flow the request went out on (known after the first send) */
  flow?: Flow;
  /** the ACK built for a non-2xx final (INVITE only) */
  ack?: SipRequest;
  private interval: number;
  private readonly timers: TimerSlots;
  /** RFC 3263 §4.3: targets not tried yet, in order */
  private alternates: Destination[] = [];
  /** any response seen in this attempt (a timeout after one is not a failover case) */
  private answered = false;
  /** bumped per attempt so a late send result of an abandoned attempt is ignored */
  private attempt = 0;
  private lastError?: string;

  constructor(
    private readonly host: ClientTransactionHost,
    public key: string,
    readonly request: SipRequest,
    private target: Flow | Destination,
    public delegate: ClientTransactionDelegate = {},
  ) {
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'calling' : 'trying';
    this.interval = host.timers.T1;
    this.timers = new TimerSlots(host.clock);
  }

  get reliable(): boolean {
    return this.target.transport !== 'udp';
  }

  /** Where this attempt's request goes: its flow once sent, else the (resolved) destination. */
  get destination(): Flow | Destination {
    return this.flow ?? this.target;
  }

  /**
   * Send the request and arm A/B or E/F; `resolved` replaces a named destination (RFC 3263),
   * `alternates` are the rest of the resolved list for failover (Rule 3).
   */
  start(resolved?: Destination, alternates?: readonly Destination[]): void {
    if (resolved) this.target = resolved;
    if (alternates) this.alternates = [...alternates];
    const { T1 } = this.host.timers;
    if (this.isInvite) {
      if (!this.reliable) this.timers.start('A', T1, () => this.fire('timerA'));
      this.timers.start('B', 64 * T1, () => this.fire('timerB'));
    } else {
      if (!this.reliable) this.timers.start('E', T1, () => this.fire('timerE'));
      this.timers.start('F', 64 * T1, () => this.fire('timerF'));
    }
    this.transmit(this.request, this.target);
  }

  /** The destination could not be resolved (RFC 3263): report a transport error, never send. */
  failBeforeStart(reason: string): void {
    if (this.state === 'terminated') return;
    this.lastError = reason;
    this.host.logger.warn('client transaction has no destination', { key: this.key, reason });
    this.fire('transportError');
  }

  /** Feed a response matched to this transaction. */
  receive(response: SipResponse): void {
    if (this.state === 'terminated') return;
    const s = response.status;
    if (this.isInvite) this.fire(s < 200 ? 'provisional' : s < 300 ? 'success' : 'failure', response);
    else this.fire(s < 200 ? 'provisional' : 'final', response);
  }

  /** Tear down without notifying the TU (stack shutdown). */
  dispose(): void {
    this.timers.stopAll();
    this.state = 'terminated';
  }

  private fire(event: NictEvent | IctEvent, response?: SipResponse): void {
    const row = this.isInvite
      ? transition('invite-client', ICT_TABLE, this.state as IctState, event as IctEvent)
      : transition('non-invite-client', NICT_TABLE, this.state as NictState, event as NictEvent);
    this.state = row.next;
    this.run(row.action, response);
    if (this.state === 'terminated') this.terminate();
  }

  private run(action: string, response?: SipResponse): void {
    const { T1, T2 } = this.host.timers;
    switch (action) {
      case 'retransmit':
        this.transmit(this.request, this.flow ?? this.target);
        // INVITE: "reset the timer with a value of 2*T1"; non-INVITE: MIN(2*T1, T2), T2 once proceeding
        this.interval = this.isInvite ? this.interval * 2 : this.state === 'proceeding' ? T2 : Math.min(this.interval * 2, T2);
        this.timers.start(this.isInvite ? 'A' : 'E', this.interval, () => this.fire(this.isInvite ? 'timerA' : 'timerE'));
        return;
      case 'passProvisional':
        this.answered = true;
        if (this.isInvite) this.timers.stopAll(); // §17.1.1.2: no retransmissions once a provisional arrives
        this.delegate.onResponse?.(response!, this);
        return;
      case 'passFinal':
        this.timers.stopAll();
        this.armCompletedTimer();
        this.passFinalOrFailOver(response!);
        this.handOverCompleted();
        return;
      case 'passSuccess':
        if (!this.timers.has('M')) {
          this.timers.stopAll();
          this.timers.start('M', 64 * T1, () => this.fire('timerM'));
        }
        this.delegate.onResponse?.(response!, this);
        return;
      case 'passFailureAndAck':
        this.timers.stopAll();
        this.ack = createNon2xxAck(this.request, response!);
        this.transmit(this.ack, this.flow ?? this.target);
        this.armCompletedTimer();
        this.passFinalOrFailOver(response!);
        return;
      case 'resendAck':
        if (this.ack) this.transmit(this.ack, this.flow ?? this.target);
        return;
      case 'timeout':
        // RFC 3263 §4.3: "Failure also occurs if the transaction layer times out without ever having received any response, provisional or final"
        if (!this.answered && this.failOver()) return;
        this.delegate.onTimeout?.(this);
        return;
      case 'reportTransportError':
        // RFC 3263 §4.3: failure occurs on "a transport failure of some sort"
        if (this.failOver()) return;
        this.delegate.onTransportError?.({ kind: 'transport-error', reason: this.lastError ?? 'transport error' }, this);
        return;
      default: // absorb, destroy
        return;
    }
  }

  /** Timer D (INVITE) or K (non-INVITE), armed on entering 'completed'. */
  private armCompletedTimer(): void {
    if (this.isInvite) {
      // "Timer D … at least 32 seconds for unreliable transports, and … zero seconds for reliable transports"
      this.timers.start('D', this.reliable ? 0 : this.host.timers.timerD ?? 32_000, () => this.fire('timerD'));
    } else {
      // "Timer K … T4 seconds for unreliable transports, and zero seconds for reliable transports"
      this.timers.start('K', this.reliable ? 0 : this.host.timers.T4, () => this.fire('timerK'));
    }
  }

  /**
   * A non-INVITE over UDP that stayed in 'completed' (no failover) only absorbs retransmitted finals
   * until Timer K: the host may keep that as a bare key (completed-non-invite.ts) so this object,
   * its request and response can go now.
   */
  private handOverCompleted(): void {
    if (this.isInvite || this.reliable || this.state !== 'completed' || this.host.retainCompletedClient === undefined) return;
    this.timers.stopAll();
    this.host.retainCompletedClient(this.key);
    this.state = 'terminated';
  }

  private passFinalOrFailOver(response: SipResponse): void {
    this.answered = true;
    // RFC 3263 §4.3: "If a 503 error response is received, the client SHOULD try the next element"
    if (response.status === 503 && this.failOver()) return;
    this.delegate.onResponse?.(response, this);
  }

  /**
   * RFC 3263 §4.3: "the client SHOULD create a new request, which is identical to the previous, but
   * has a different value of the Via branch ID … That request is sent to the next element in the list".
   * False when no alternate is left (the TU then hears this attempt's outcome).
   */
  private failOver(): boolean {
    const next = this.alternates[0];
    if (next === undefined || this.host.rebranch === undefined) return false;
    this.alternates.shift();
    const abandoned = this.state === 'completed' ? this.handOff() : undefined;
    this.host.logger.info('client transaction fails over to the next target', { key: this.key, next: `${next.transport}:${next.host}:${next.port}` });
    this.timers.stopAll();
    this.key = this.host.rebranch(this, next, abandoned);
    this.attempt++;
    this.state = this.isInvite ? 'calling' : 'trying';
    this.interval = this.host.timers.T1;
    this.flow = undefined;
    this.ack = undefined;
    this.answered = false;
    this.start(next);
    return true;
  }

  /** A silent copy of this 'completed' attempt that serves its Timer D/K tail under the old key. */
  private handOff(): ClientTransaction {
    const old = new ClientTransaction(this.host, this.key, this.request, this.target);
    old.state = this.state;
    old.flow = this.flow;
    old.ack = this.ack;
    old.armCompletedTimer();
    return old;
  }

  private transmit(msg: SipRequest, to: Flow | Destination): void {
    const attempt = this.attempt;
    this.host.send(msg, to).then(
      (flow) => {
        if (attempt === this.attempt) this.flow ??= flow;
      },
      (err: unknown) => {
        if (attempt !== this.attempt) return; // an abandoned attempt's late failure
        this.lastError = String(err);
        this.host.logger.warn('client transaction send failed', { key: this.key, err: this.lastError });
        if (this.state !== 'terminated' && this.state !== 'accepted' && this.state !== 'completed') this.fire('transportError');
      },
    );
  }

  private terminate(): void {
    this.timers.stopAll();
    this.host.forget(this);
    this.delegate.onTerminated?.(this);
  }
}
