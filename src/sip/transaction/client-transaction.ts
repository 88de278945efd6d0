/**
 * Client transactions (RFC 3261 §17.1, RFC 6026 §7.2): INVITE and non-INVITE, driven by the
 * tables in `transaction-tables.ts` over an injected clock.
 *
 * Rule 1: retransmissions only on unreliable transports (§17.1.1.2 / §17.1.2.2), capped at T2.
 * Rule 2: the TU hears each response once per arrival it cares about (absorbed rows stay silent),
 *         and exactly one of onTimeout / onTransportError when the transaction fails.
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

  constructor(
    private readonly host: TransactionHost,
    readonly key: string,
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

  /** Send the request and arm A/B or E/F; `resolved` replaces a named destination (RFC 3263). */
  start(resolved?: Destination): void {
    if (resolved) this.target = resolved;
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
    const { T1, T2, T4 } = this.host.timers;
    switch (action) {
      case 'retransmit':
        this.transmit(this.request, this.flow ?? this.target);
        // INVITE: "reset the timer with a value of 2*T1"; non-INVITE: MIN(2*T1, T2), T2 once proceeding
        this.interval = this.isInvite ? this.interval * 2 : this.state === 'proceeding' ? T2 : Math.min(this.interval * 2, T2);
        this.timers.start(this.isInvite ? 'A' : 'E', this.interval, () => this.fire(this.isInvite ? 'timerA' : 'timerE'));
        return;
      case 'passProvisional':
        if (this.isInvite) this.timers.stopAll(); // §17.1.1.2: no retransmissions once a provisional arrives
        this.delegate.onResponse?.(response!, this);
        return;
      case 'passFinal':
        this.timers.stopAll();
        // "Timer K … T4 seconds for unreliable transports, and zero seconds for reliable transports"
        this.timers.start('K', this.reliable ? 0 : T4, () => this.fire('timerK'));
        this.delegate.onResponse?.(response!, this);
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
        // "Timer D … at least 32 seconds for unreliable transports, and … zero seconds for reliable transports"
        this.timers.start('D', this.reliable ? 0 : this.host.timers.timerD ?? 32_000, () => this.fire('timerD'));
        this.delegate.onResponse?.(response!, this);
        return;
      case 'resendAck':
        if (this.ack) this.transmit(this.ack, this.flow ?? this.target);
        return;
      case 'timeout':
        this.delegate.onTimeout?.(this);
        return;
      case 'reportTransportError':
        this.delegate.onTransportError?.({ kind: 'transport-error', reason: this.lastError ?? 'transport error' }, this);
        return;
      default: // absorb, destroy
        return;
    }
  }

  private lastError?: string;

  private transmit(msg: SipRequest, to: Flow | Destination): void {
    this.host.send(msg, to).then(
      (flow) => {
        this.flow ??= flow;
      },
      (err: unknown) => {
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
