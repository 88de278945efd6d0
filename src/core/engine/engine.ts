/**
 * The presence engine: `handle(input, now) → effects` (DESIGN.md "The flow"; style guide §3).
 *
 * Rule 1: pure: no clock, no I/O; `now` (ms since the epoch) comes with every input.
 * Rule 2: when the earliest timer deadline changes, the effects end with one WakeAt.
 * Rule 3: NotifyOutcome ok settles the in-flight NOTIFY and sends the coalesced one if dirty;
 *         gone / timeout / failed removes the subscription (RFC 6665 §4.2.2: "a 481 response to a
 *         NOTIFY ... indicates that the subscription has been terminated").
 * Rule 4: expiry sends `terminated;reason=timeout` (RFC 6665 §4.2.2 "when a subscription expires").
 * Rule 5: exportSubscriptions/restoreSubscriptions carry id, version and expiry across restarts, so
 *         the next NOTIFY after a restart continues the version sequence (blf-facts §4.2).
 */
import type { Directory } from '../model/index.js';
import { Subscription, type SubscriptionRecord } from '../subscriptions/index.js';
import type { Effect, EffectSink, EngineInput, NotifyOutcome } from './engine-io.js';
import { createEngineState, endSubscription, notifyActive, terminate, type EngineState } from './engine-state.js';
import { handleSubscribe } from './subscribe-handler.js';
import { applyLineChanges, applyRemoteState, publishUsers, reevaluateSubscriptions } from './engine-updates.js';

export interface Engine {
  handle(input: EngineInput, now: number): Effect[];
  /** `handle`, putting each effect into `out` as it is decided (the driver dispatches them at once). */
  handleInto(input: EngineInput, now: number, out: EffectSink): void;
  nextDeadline(): number | undefined;
  exportSubscriptions(): SubscriptionRecord[];
  /** The record of one live subscription (persistence of what changed, without exporting them all). */
  exportSubscription(id: string): SubscriptionRecord | undefined;
  /**
   * Re-creates persisted subscriptions, each with the adapter's handle from `handles` (by id); expired
   * ones are dropped. Returns RouteSubscribe/WakeAt effects.
   */
  restoreSubscriptions(records: readonly SubscriptionRecord[], now: number, handles?: ReadonlyMap<string, unknown>): Effect[];
  /** The adapter's handle of a live subscription (`SubscribeRequest.handle`), or undefined. */
  handleOf(id: string): unknown;
  /** The directory snapshot in use. */
  directory(): Directory;
}

function handleNotifyOutcome(st: EngineState, input: NotifyOutcome, now: number, out: EffectSink): void {
  const sub = st.subs.get(input.subscriptionId);
  if (!sub) {
    out.push({ type: 'log', level: 'debug', message: 'NOTIFY outcome for an unknown subscription', fields: { subscriptionId: input.subscriptionId, version: input.version } });
    return;
  }
  if (input.outcome !== 'ok') {
    out.push({ type: 'log', level: 'info', message: 'subscription removed after NOTIFY failure', fields: { subscriptionId: sub.id, outcome: input.outcome, status: input.status ?? null } });
    sub.apply('notify-failed');
    endSubscription(st, sub, out);
    return;
  }
  if (st.subs.settleNotify(sub, input.version)) notifyActive(st, sub, now, out);
}

function handleTick(st: EngineState, now: number, out: EffectSink): void {
  for (let sub = st.subs.popDue(now); sub; sub = st.subs.popDue(now)) {
    sub.apply('expire');
    terminate(st, sub, now, 'timeout', out);
  }
}

function dispatch(st: EngineState, input: EngineInput, now: number, out: EffectSink): void {
  switch (input.type) {
    case 'subscribe':
      return handleSubscribe(st, input, now, out);
    case 'notify-outcome':
      return handleNotifyOutcome(st, input, now, out);
    case 'tick':
      return handleTick(st, now, out);
    case 'remote-state':
      return applyRemoteState(st, input, now, out);
    case 'call-event':
      return publishUsers(st, applyLineChanges(st, st.lines.applyCallEvent(st.dir, input.appearance, input.dialog), now, out), out);
    case 'registration':
      return publishUsers(st, applyLineChanges(st, st.lines.applyRegistration(st.dir, input.device, input.registered), now, out), out);
    case 'dnd':
      return publishUsers(st, applyLineChanges(st, st.lines.applyDnd(st.dir, input.device, input.on), now, out), out);
    case 'directory-replaced': {
      st.dir = input.directory;
      const users = applyLineChanges(st, st.lines.recomputeAll(st.dir), now, out);
      reevaluateSubscriptions(st, now, out);
      return publishUsers(st, users, out);
    }
  }
}

function restoreOne(st: EngineState, r: SubscriptionRecord, now: number, handle: unknown, out: EffectSink): void {
  if (r.expiresAt <= now || st.subs.get(r.id)) return;
  const sub = new Subscription(r.id, r.watcher, r.target, r.event, r.contentType, r.kind);
  sub.handle = handle;
  sub.line = r.line;
  sub.trunk = r.trunk;
  sub.version = r.version;
  sub.expiresAt = r.expiresAt;
  sub.apply('authorize');
  st.subs.add(sub);
  if (r.trunk !== null) out.push({ type: 'route-subscribe', subscriptionId: r.id, trunk: r.trunk, target: r.target, event: r.event });
}

/** Creates an engine over an initial directory snapshot. */
export function createEngine(directory: Directory): Engine {
  const st = createEngineState(directory);
  let announced: number | undefined;
  const wake = (out: EffectSink): void => {
    const next = st.subs.nextDeadline();
    if (next !== undefined && next !== announced) out.push({ type: 'wake-at', at: next });
    announced = next;
  };
  const handleInto = (input: EngineInput, now: number, out: EffectSink): void => {
    dispatch(st, input, now, out);
    wake(out);
  };
  return {
    handle(input, now) {
      const out: Effect[] = [];
      handleInto(input, now, out);
      return out;
    },
    handleInto,
    nextDeadline: () => st.subs.nextDeadline(),
    exportSubscriptions: () => [...st.subs.all()].map((s) => st.subs.toRecord(s)),
    exportSubscription(id) {
      const sub = st.subs.get(id);
      return sub === undefined ? undefined : st.subs.toRecord(sub);
    },
    restoreSubscriptions(records, now, handles) {
      const out: Effect[] = [];
      for (const r of records) restoreOne(st, r, now, handles?.get(r.id), out);
      wake(out);
      return out;
    },
    handleOf: (id) => st.subs.get(id)?.handle,
    directory: () => st.dir,
  };
}
