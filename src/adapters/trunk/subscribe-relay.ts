/**
 * Outbound SUBSCRIBE relay (issue 6; DESIGN.md "a route pattern match → the SUBSCRIBE goes out that
 * trunk"; RFC 6665 §4.1 subscriber behaviour): the engine's `route-subscribe` / `route-unsubscribe`
 * effects become upstream SUBSCRIBE dialogs out the trunk, and the NOTIFYs on them become
 * `remote-state` inputs.
 *
 * Rule 1: ONE upstream subscription per (trunk, remote target), shared by every local watcher; the
 *         core keeps each watcher's own dialog and version. The last watcher leaving sends
 *         SUBSCRIBE Expires: 0 (§4.1.2.3 "unsubscribing is handled in the same way as refreshing").
 * Rule 2: refresh before expiry in the same dialog (relay-messages Rule 4).
 * Rule 3: upstream terminated / 481 / timeout / error / no NOTIFY within Timer N → the watchers see
 *         `unknown`, the dialog is dropped and a fresh SUBSCRIBE (new Call-ID) goes out after a
 *         bounded exponential backoff (or the notifier's retry-after).
 * Rule 4: one timer slot per upstream; `timerFor` says what it is for (style guide §6).
 * Rule 5: NOTIFYs are matched on Call-ID + our From-tag, and may precede the SUBSCRIBE's 2xx
 *         (§4.1.2.4); an unknown one gets 481 so the notifier drops it (§4.1.3).
 */
import {
  createSubscriberDialog, generateCallId, generateTag, getCSeq, getExpires, receiveRequestInDialog, receiveResponseInDialog,
  createUacDialog, tagOf, type Clock, type DialogState, type SipRequest, type TimerHandle,
} from '../../sip/index.js';
import {
  routeKey, type BlfState, type Directory, type LineDialog, type PresentityRef, type RemoteStateChanged,
  type RouteSubscribe, type RouteUnsubscribe, type Trunk,
} from '../../core/index.js';
import {
  DEFAULT_RELAY_TIMING, backoffDelay, buildInDialogSubscribe, buildInitialSubscribe, readNotify, refreshDelay, upstreamUri,
  type RelayTiming,
} from './relay-messages.js';
import type { TrunkAnswer } from './trunk-request.js';
import { SILENT_TRUNK_LOGGER, type TrunkLogger } from './trunk-logger.js';

export interface SubscribeRelayOptions {
  readonly directory: () => Directory;
  /** sends one request out a trunk (trunk-request.ts `sendToTrunk` in the gateway) */
  readonly send: (trunk: Trunk, request: SipRequest) => Promise<TrunkAnswer>;
  /** timers (RealClock in the gateway, FakeClock in tests) */
  readonly clock: Clock;
  readonly submit: (input: RemoteStateChanged) => void;
  /** our Contact URI for requests out this trunk */
  readonly contactFor: (trunk: Trunk) => string;
  readonly logger?: TrunkLogger;
  /** Expires asked for upstream (s, default 3600) */
  readonly expires?: number;
  readonly timing?: Partial<RelayTiming>;
}

type Phase = 'subscribing' | 'active' | 'waiting' | 'ending';

interface Upstream {
  readonly key: string;
  readonly trunk: string;
  readonly target: PresentityRef;
  readonly watchers: Set<string>;
  phase: Phase;
  callId: string;
  fromTag: string;
  cseq: number;
  /** the last SUBSCRIBE we sent (creates the dialog from a NOTIFY that beats its 2xx) */
  lastSubscribe?: SipRequest;
  dialog?: DialogState;
  notified: boolean;
  lastVersion?: number;
  failures: number;
  /** Expires the notifier granted (s) */
  granted: number;
  timer?: TimerHandle;
  timerFor?: 'refresh' | 'retry' | 'timer-n' | 'linger';
  reported?: { state: BlfState; dialogs: readonly LineDialog[] };
}

/** What the relay holds (tests, metrics). */
export interface RelayUpstreamView {
  readonly trunk: string;
  readonly target: PresentityRef;
  readonly watchers: number;
  readonly phase: Phase;
  readonly failures: number;
  readonly callId: string;
}

export class SubscribeRelay {
  private readonly upstreams = new Map<string, Upstream>();
  /** Call-ID → upstream, including ones ending (their final NOTIFY still gets 200) */
  private readonly byCallId = new Map<string, Upstream>();
  private readonly timing: RelayTiming;
  private readonly log: TrunkLogger;
  private readonly expires: number;
  private closed = false;

  constructor(private readonly opts: SubscribeRelayOptions) {
    this.timing = { ...DEFAULT_RELAY_TIMING, ...opts.timing };
    this.log = opts.logger ?? SILENT_TRUNK_LOGGER;
    this.expires = opts.expires ?? 3600;
  }

  /** Engine `route-subscribe` (Rule 1). */
  onRouteSubscribe(e: RouteSubscribe): void {
    if (this.closed) return;
    const key = routeKey(e.trunk, e.target);
    const existing = this.upstreams.get(key);
    if (existing) {
      existing.watchers.add(e.subscriptionId);
      return;
    }
    const up: Upstream = {
      key, trunk: e.trunk, target: e.target, watchers: new Set([e.subscriptionId]),
      phase: 'subscribing', callId: '', fromTag: '', cseq: 0, notified: false, failures: 0, granted: this.expires,
    };
    this.upstreams.set(key, up);
    this.subscribeFresh(up);
  }

  /** Engine `route-unsubscribe` (Rule 1). */
  onRouteUnsubscribe(e: RouteUnsubscribe): void {
    const up = this.upstreams.get(routeKey(e.trunk, e.target));
    if (!up) return;
    up.watchers.delete(e.subscriptionId);
    if (up.watchers.size === 0) this.end(up);
  }

  /** An in-dialog NOTIFY from the SIP endpoint; returns the status to answer with (Rule 5). */
  handleNotify(req: SipRequest): { status: number; reason: string } {
    const up = this.byCallId.get(req.headers.get('call-id') ?? '');
    if (!up || tagOf(req.headers.get('to')) !== up.fromTag) return { status: 481, reason: 'Subscription Does Not Exist' };
    if (up.dialog === undefined || up.dialog.remoteTag !== tagOf(req.headers.get('from'))) {
      if (up.dialog !== undefined || up.lastSubscribe === undefined) return { status: 481, reason: 'Subscription Does Not Exist' };
      const d = createSubscriberDialog(up.lastSubscribe, req);
      if (d === null) return { status: 400, reason: 'Bad NOTIFY' };
      up.dialog = d;
    } else {
      const check = receiveRequestInDialog(up.dialog, req);
      if (!check.ok) return { status: check.status, reason: check.reason };
    }
    const reading = readNotify(req);
    if (reading.kind === 'bad') return { status: reading.status, reason: reading.reason };
    if (up.phase === 'ending') {
      if (reading.kind === 'terminated') this.forget(up);
      return { status: 200, reason: 'OK' };
    }
    if (reading.kind === 'terminated') {
      this.log.info('upstream subscription terminated', { trunk: up.trunk, callId: up.callId, reason: reading.reason ?? null });
      this.fail(up, reading.retryAfter !== undefined ? reading.retryAfter * 1000 : undefined, reading.reason === 'deactivated' || reading.reason === 'timeout');
      return { status: 200, reason: 'OK' };
    }
    if (reading.version !== undefined && up.lastVersion !== undefined && reading.version <= up.lastVersion) {
      return { status: 200, reason: 'OK' }; // RFC 4235 §4.1: a version not newer is ignored
    }
    if (reading.version !== undefined) up.lastVersion = reading.version;
    up.notified = true;
    if (up.timerFor === 'timer-n') this.arm(up, 'refresh', refreshDelay(up.granted));
    this.report(up, reading.state, reading.dialogs);
    return { status: 200, reason: 'OK' };
  }

  /** Live upstream subscriptions (tests, metrics). */
  view(): RelayUpstreamView[] {
    return [...this.upstreams.values()].map((u) => ({
      trunk: u.trunk, target: u.target, watchers: u.watchers.size, phase: u.phase, failures: u.failures, callId: u.callId,
    }));
  }

  /** Ends every upstream subscription (Expires: 0) and stops the timers. */
  close(): void {
    for (const up of [...this.upstreams.values()]) this.end(up);
    for (const up of this.byCallId.values()) this.clearTimer(up);
    this.byCallId.clear();
    this.closed = true;
  }

  /* ---------------------------------------------------------------- sending */

  private trunkOf(up: Upstream): Trunk | undefined {
    return this.opts.directory().trunks.get(up.trunk);
  }

  /** A new dialog: fresh Call-ID and From-tag (Rule 3). */
  private subscribeFresh(up: Upstream): void {
    if (up.callId) this.byCallId.delete(up.callId);
    up.callId = generateCallId();
    up.fromTag = generateTag();
    up.cseq = 0;
    up.dialog = undefined;
    up.notified = false;
    up.lastVersion = undefined;
    this.byCallId.set(up.callId, up);
    this.sendSubscribe(up, this.expires);
  }

  private sendSubscribe(up: Upstream, expires: number): void {
    const trunk = this.trunkOf(up);
    if (trunk === undefined) {
      this.log.warn('trunk gone; upstream subscription not sent', { trunk: up.trunk });
      return this.fail(up);
    }
    const contact = this.opts.contactFor(trunk);
    const request = up.dialog !== undefined
      ? buildInDialogSubscribe(up.dialog, contact, expires)
      : buildInitialSubscribe({
        uri: upstreamUri(trunk, up.target), from: `sip:blfgw@${this.opts.directory().params.domain}`,
        fromTag: up.fromTag, callId: up.callId, cseq: ++up.cseq, contact, expires,
      });
    up.lastSubscribe = request;
    const callId = up.callId;
    void this.opts.send(trunk, request).then((answer) => this.settle(up, callId, expires, answer));
  }

  private settle(up: Upstream, callId: string, asked: number, answer: TrunkAnswer): void {
    const seq = getCSeq(answer.request)?.seq ?? 0;
    up.lastSubscribe = answer.request;
    if (up.dialog !== undefined && up.callId === callId) up.dialog.localSeq = Math.max(up.dialog.localSeq, seq);
    if (up.callId === callId) up.cseq = Math.max(up.cseq, seq);
    if (this.closed || up.callId !== callId) return;
    if (up.phase === 'ending') return this.linger(up);
    if (answer.kind !== 'response') {
      this.log.info('upstream SUBSCRIBE failed', { trunk: up.trunk, kind: answer.kind });
      return this.fail(up);
    }
    const res = answer.response;
    if (res.status === 423 && asked > 0) {
      const min = Number(res.headers.get('min-expires') ?? '0');
      if (min > asked) return this.sendSubscribe(up, min);
    }
    if (res.status >= 300) {
      this.log.info('upstream SUBSCRIBE refused', { trunk: up.trunk, status: res.status });
      return this.fail(up);
    }
    if (up.dialog === undefined) {
      const d = createUacDialog(answer.request, res);
      if (d !== null) up.dialog = d;
    } else receiveResponseInDialog(up.dialog, res);
    up.phase = 'active';
    up.failures = 0;
    up.granted = getExpires(res) ?? asked;
    if (!up.notified) return this.arm(up, 'timer-n', this.timing.timerNMs);
    this.arm(up, 'refresh', refreshDelay(up.granted));
  }

  /** Rule 3. `soon` = the notifier asked us to come back at once (deactivated / timeout). */
  private fail(up: Upstream, retryAfterMs?: number, soon = false): void {
    up.failures++;
    up.phase = 'waiting';
    up.dialog = undefined;
    this.report(up, 'unknown', []);
    const delay = retryAfterMs ?? (soon && up.failures === 1 ? 0 : backoffDelay(this.timing, up.failures));
    this.arm(up, 'retry', delay);
  }

  private end(up: Upstream): void {
    this.upstreams.delete(up.key);
    this.clearTimer(up);
    const wasLive = up.phase !== 'waiting';
    up.phase = 'ending';
    if (!wasLive || this.closed) return this.forget(up);
    const trunk = this.trunkOf(up);
    if (trunk === undefined) return this.forget(up);
    this.sendSubscribe(up, 0);
  }

  /** After the un-SUBSCRIBE's answer, keep answering its final NOTIFY for a while. */
  private linger(up: Upstream): void {
    if (up.timerFor !== 'linger') this.arm(up, 'linger', this.timing.timerNMs);
  }

  private forget(up: Upstream): void {
    this.clearTimer(up);
    if (this.byCallId.get(up.callId) === up) this.byCallId.delete(up.callId);
  }

  private report(up: Upstream, state: BlfState, dialogs: readonly LineDialog[]): void {
    const prev = up.reported;
    if (prev !== undefined && prev.state === state && JSON.stringify(prev.dialogs) === JSON.stringify(dialogs)) return;
    up.reported = { state, dialogs };
    this.opts.submit({ type: 'remote-state', trunk: up.trunk, target: up.target, state, dialogs });
  }

  /* ---------------------------------------------------------------- timer slot (Rule 4) */

  private arm(up: Upstream, what: NonNullable<Upstream['timerFor']>, ms: number): void {
    this.clearTimer(up);
    up.timerFor = what;
    up.timer = this.opts.clock.setTimer(ms, () => {
      up.timer = undefined;
      up.timerFor = undefined;
      this.fire(up, what);
    });
  }

  private clearTimer(up: Upstream): void {
    if (up.timer !== undefined) this.opts.clock.clearTimer(up.timer);
    up.timer = undefined;
    up.timerFor = undefined;
  }

  private fire(up: Upstream, what: NonNullable<Upstream['timerFor']>): void {
    if (this.closed) return;
    switch (what) {
      case 'linger':
        return this.forget(up);
      case 'timer-n':
        // RFC 6665 §4.1.2.4: no NOTIFY within Timer N → the subscription failed
        this.log.info('no NOTIFY within Timer N', { trunk: up.trunk, callId: up.callId });
        return this.fail(up);
      case 'retry':
        up.phase = 'subscribing';
        return this.subscribeFresh(up);
      case 'refresh':
        return this.sendSubscribe(up, this.expires);
    }
  }
}
