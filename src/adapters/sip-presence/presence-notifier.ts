/**
 * The SIP notifier: SUBSCRIBE in → `SubscribeRequest` to the core; `RespondSubscribe` and
 * `SendNotify` effects out → SIP responses and in-dialog NOTIFYs; NOTIFY results → `NotifyOutcome`
 * (RFC 6665 §4.2 notifier behaviour; pjsip evsub, resiprocate ServerSubscription).
 *
 * Rule 1: the core decides (policy, expiry, versions, one NOTIFY in flight); this class only
 *         translates and keeps the SIP dialog (`SipSubscription`).
 * Rule 2: the 200 carries Expires, our Contact and a random 128-bit To-tag (RFC 6665 §4.2.1.1:
 *         "the 200-class response … MUST contain an Expires header field"); the To-tag is the
 *         subscription id.
 * Rule 3: an in-dialog SUBSCRIBE for a dialog we do not know is 481 (RFC 6665 §4.2.1.2 / RFC 3261
 *         §12.2.2); one whose CSeq is not higher than the last is 500 (RFC 3261 §12.2.2).
 * Rule 4: NOTIFYs go over the flow the SUBSCRIBE came in on (RFC 3581, connection reuse); a
 *         target-refresh SUBSCRIBE moves the dialog to its new flow and Contact.
 * Rule 5: a NOTIFY carrying `terminated` ends the SIP dialog here; so does a NOTIFY that failed
 *         (481: RFC 6665 §4.2.2 "the notifier MUST remove the subscription"; timeout or another
 *         error: the core removes it too).
 * Rule 6: the core holds each dialog as its subscription's handle (sip-subscription.ts Rule 5);
 *         `dialogOf` looks one up by id.
 */
import { createResponse, formatSubscriptionState, generateOrderedTag, type Flow } from '../../sip/index.js';
import type { NotifyOutcome, RespondSubscribe, SendNotify, SubscribeRequest } from '../../core/index.js';
import { FlowRegistry } from './flow-registry.js';
import { parseSubscribe, type ParseSubscribeOptions, type InDialogSubscribe, type InitialSubscribe } from './parse-subscribe.js';
import { NotifyInDialog, SipSubscription, notifyWire, packDialog, withRemoteTarget, type NotifyContent } from './sip-subscription.js';
import type {
  IncomingRequest, NotifierLogger, NotifierSip, RequestResult, SerializedRequest, SubmitInput, WatcherIdentifier,
} from './notifier-ports.js';

export interface PresenceNotifierOptions extends ParseSubscribeOptions {
  readonly sip: NotifierSip;
  readonly submit: SubmitInput;
  readonly watchers: WatcherIdentifier;
  readonly logger: NotifierLogger;
  /** called whenever a dialog changes (persistence marks it dirty) or ends */
  readonly onDialogChanged?: (id: string, sub: SipSubscription | undefined) => void;
  /** Rule 6: the dialog the core holds for a subscription id, unless it has ended */
  readonly dialogOf: (id: string) => SipSubscription | undefined;
}

/** The request being answered while the engine handles it (effects are dispatched synchronously). */
interface Answering {
  readonly tx: IncomingRequest;
  readonly dialog: SipSubscription;
  /** the dialog was created by this request (initial SUBSCRIBE) */
  readonly created: boolean;
  answered: boolean;
}

/**
 * One NOTIFY in its client transaction: builds its text for each (re)transmission and reports the
 * outcome. One object: the NOTIFY's parts (not its text, not the effect), our Via, who to tell.
 */
class NotifyTransmission extends NotifyInDialog implements SerializedRequest {
  via = '';

  constructor(
    private readonly notifier: PresenceNotifier,
    private readonly version: number,
    sub: SipSubscription,
    content: NotifyContent,
  ) {
    super(sub, content);
  }

  wire(): string {
    return notifyWire(this, this.via);
  }

  onFinal(result: RequestResult): void {
    this.notifier.reportNotify(this.sub.id, this.version, result);
  }
}

const REFRESH_WATCHER: SubscribeRequest['watcher'] = { kind: 'device', name: '' };
const REFRESH_TARGET: SubscribeRequest['target'] = { kind: 'dn', dn: '' };

export class PresenceNotifier {
  readonly flows = new FlowRegistry();
  private readonly answering = new Map<string, Answering>();
  /** dialogs accepted or restored and not ended */
  private live = 0;

  constructor(private readonly opts: PresenceNotifierOptions) {}

  /** Entry point for every SUBSCRIBE the SIP endpoint routes to presence. */
  handleSubscribe(tx: IncomingRequest): void {
    const req = tx.request;
    const parsed = parseSubscribe(req, this.opts);
    if (parsed.kind === 'reject') {
      tx.respond(createResponse(req, parsed.status, parsed.reason, { toTag: true, headers: parsed.headers }));
      return;
    }
    if (parsed.kind === 'in-dialog') return this.handleInDialog(tx, parsed);
    const who = this.opts.watchers.identify(req, tx.flow);
    if (who.kind === 'respond') {
      tx.respond(who.response);
      return;
    }
    this.handleInitial(tx, parsed, who.watcher);
  }

  private handleInitial(tx: IncomingRequest, p: InitialSubscribe, watcher: SubscribeRequest['watcher']): void {
    const id = generateOrderedTag();
    const sub = new SipSubscription(id, packDialog(tx.request, p.contact!), this.flows.acquire(tx.flow), 0, p.cseq, p.eventCode, p.eventId);
    this.runEngine(sub, tx, true, {
      type: 'subscribe', subscriptionId: id, watcher, target: p.target, event: p.event, expires: p.expires, refresh: false,
      accept: p.accept, handle: sub,
    });
  }

  private handleInDialog(tx: IncomingRequest, p: InDialogSubscribe): void {
    const sub = this.opts.dialogOf(p.localTag);
    if (sub === undefined || sub.callId !== p.callId || sub.remoteTag !== p.remoteTag || sub.event !== p.event) {
      tx.respond(createResponse(tx.request, 481, 'Subscription Does Not Exist'));
      return;
    }
    if (p.cseq <= sub.remoteCseq) {
      tx.respond(createResponse(tx.request, 500, 'CSeq Out of Order'));
      return;
    }
    const flow = tx.flow;
    sub.remoteCseq = p.cseq;
    if (p.contact !== undefined) sub.packed = withRemoteTarget(sub.packed, p.contact);
    if (!sameFlow(sub.flow, flow)) {
      this.flows.release(sub.flow);
      sub.flow = this.flows.acquire(flow);
    }
    this.opts.onDialogChanged?.(sub.id, sub);
    // Watcher and target are fixed by the dialog: the core keeps them with the subscription and
    // matches a refresh by id alone, so the request repeats only what can change.
    this.runEngine(sub, tx, false, {
      type: 'subscribe', subscriptionId: sub.id, watcher: REFRESH_WATCHER, target: REFRESH_TARGET,
      event: p.event, expires: p.expires, refresh: true, accept: p.accept,
    });
  }

  private runEngine(dialog: SipSubscription, tx: IncomingRequest, created: boolean, input: SubscribeRequest): void {
    const id = dialog.id;
    const a: Answering = { tx, dialog, created, answered: false };
    this.answering.set(id, a);
    try {
      this.opts.submit(input);
    } finally {
      this.answering.delete(id);
    }
    if (!a.answered) {
      this.opts.logger.error('engine gave no answer to a SUBSCRIBE', { subscriptionId: id });
      tx.respond(createResponse(tx.request, 500, 'No Decision', { toTag: id }));
      if (created) this.end(dialog);
    }
  }

  /** `RespondSubscribe` effect: the final answer to the SUBSCRIBE being handled. */
  onRespondSubscribe(effect: RespondSubscribe): void {
    const a = this.answering.get(effect.subscriptionId);
    if (a === undefined || a.answered) {
      this.opts.logger.warn('RespondSubscribe for no pending SUBSCRIBE', { subscriptionId: effect.subscriptionId });
      return;
    }
    a.answered = true;
    const headers: Array<[string, string]> = [];
    const ok = effect.status >= 200 && effect.status < 300;
    const sub = a.dialog;
    if (ok) {
      headers.push(['Expires', String(effect.expires ?? 0)], ['Contact', `<${this.opts.sip.contactFor(a.tx.flow)}>`]);
    } else if (effect.status === 423 && effect.minExpires !== undefined) {
      headers.push(['Min-Expires', String(effect.minExpires)]);
    } else if (effect.status === 489) {
      headers.push(['Allow-Events', 'dialog, presence']);
    }
    a.tx.respond(createResponse(a.tx.request, effect.status, effect.reason, { toTag: effect.subscriptionId, headers }));
    if (!ok && a.created) this.end(sub);
    else if (ok && a.created) {
      if (sub.count()) this.live++;
      this.opts.onDialogChanged?.(sub.id, sub);
    }
  }

  /** `SendNotify` effect: one NOTIFY in the subscription's dialog. */
  onSendNotify(effect: SendNotify): void {
    const sub = effect.handle instanceof SipSubscription ? effect.handle : undefined;
    if (sub === undefined || sub.ended) {
      this.reportNotify(effect.subscriptionId, effect.version, { status: 481 });
      return;
    }
    const terminated = effect.subscriptionState === 'terminated';
    const state = formatSubscriptionState(terminated
      ? { state: 'terminated', reason: effect.reason ?? 'noresource' }
      : { state: 'active', expires: effect.expires });
    const notify = new NotifyTransmission(this, effect.version, sub, {
      subscriptionState: state, contentType: effect.contentType, body: effect.body, bodyBytes: effect.bodyBytes, contact: this.opts.sip.contactFor(sub.flow),
    });
    const flow = sub.flow;
    if (terminated) this.end(sub);
    else this.opts.onDialogChanged?.(sub.id, sub);
    this.opts.sip.sendSerialized(flow, notify);
  }

  /** Number of live SIP subscription dialogs. */
  get size(): number {
    return this.live;
  }

  /** Counts a dialog restored from the runtime store (the core holds it as the handle). */
  restore(sub: SipSubscription): void {
    if (sub.count()) this.live++;
  }

  /** A NOTIFY's outcome, to the core (a `NotifyTransmission` calls this). */
  reportNotify(id: string, version: number, result: RequestResult): void {
    const outcome: NotifyOutcome['outcome'] =
      result.status >= 200 && result.status < 300 ? 'ok'
        : result.status === 481 ? 'gone'
          : result.status === 0 || result.status === 408 ? 'timeout'
            : 'failed';
    // Rule 5: the core removes the subscription on any failure
    if (outcome !== 'ok') this.drop(id);
    const input: NotifyOutcome = result.status === 0
      ? { type: 'notify-outcome', subscriptionId: id, version, outcome }
      : { type: 'notify-outcome', subscriptionId: id, version, outcome, status: result.status };
    this.opts.submit(input);
  }

  /** Ends the SIP dialog of a subscription id, if the core still holds it. */
  private drop(id: string): void {
    const sub = this.opts.dialogOf(id);
    if (sub !== undefined) this.end(sub);
  }

  /** Ends a SIP dialog once (the core forgets its subscription on its own terms). */
  private end(sub: SipSubscription): void {
    if (sub.ended) return;
    if (sub.end()) this.live--;
    this.flows.release(sub.flow);
    this.opts.onDialogChanged?.(sub.id, undefined);
  }
}

function sameFlow(a: Flow, b: Flow): boolean {
  return a.transport === b.transport && a.connectionId === b.connectionId && a.remote.port === b.remote.port
    && a.remote.host === b.remote.host && a.local.port === b.local.port && a.local.host === b.local.host;
}
