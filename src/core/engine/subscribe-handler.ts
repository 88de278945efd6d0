/**
 * SUBSCRIBE handling (RFC 6665 §4.2.1): package check, expiry policy, authorization, immediate
 * NOTIFY, refresh and un-subscribe.
 *
 * Rule 1: unknown package → 489 Bad Event (RFC 6665 §4.2.1.1... "MUST respond with a 489").
 * Rule 2: Expires below the minimum (and not 0) → 423 with Min-Expires; above the maximum → capped;
 *         absent → params.subscribeDefaultExpires ("MAY shorten, but MUST NOT lengthen", §4.2.1.1).
 * Rule 3: user-unknown → 404 'User Unknown'; group / call-list refusals → 403 'Forbidden'.
 * Rule 4: "the notifier MUST ... send a NOTIFY request immediately" after accepting or refreshing
 *         (§4.2.1.2); Expires: 0 ends the subscription with a final NOTIFY (§4.2.1.4).
 * Rule 5: a routed subscription joining a target other watchers already route out the same trunk
 *         starts with their remote state (the trunk relay shares one upstream subscription).
 */
import { classifySubscribeKind, decide, type Decision, type SubscribeKind } from '../policy/index.js';
import { EVENT_PACKAGES, selectContentType } from '../packages/index.js';
import { Subscription } from '../subscriptions/index.js';
import type { Effect, EffectSink, SubscribeRequest } from './engine-io.js';
import { notifyActive, terminate, type EngineState } from './engine-state.js';

type ExpiryCheck = { ok: true; seconds: number } | { ok: false; minExpires: number };

/** Rule 2. */
export function checkExpires(st: EngineState, requested: number | undefined): ExpiryCheck {
  const p = st.dir.params;
  if (requested === undefined) return { ok: true, seconds: Math.min(p.subscribeDefaultExpires, p.subscribeMaxExpires) };
  if (requested === 0) return { ok: true, seconds: 0 };
  if (requested < p.subscribeMinExpires) return { ok: false, minExpires: p.subscribeMinExpires };
  return { ok: true, seconds: Math.min(requested, p.subscribeMaxExpires) };
}

function respondRejected(req: SubscribeRequest, decision: Extract<Decision, { outcome: 'reject' }>, out: EffectSink): void {
  const notFound = decision.reason === 'user-unknown';
  out.push({
    type: 'respond-subscribe',
    subscriptionId: req.subscriptionId,
    status: notFound ? 404 : 403,
    reason: notFound ? 'User Unknown' : 'Forbidden',
    decision,
  });
}

function refresh(st: EngineState, sub: Subscription, seconds: number, now: number, out: EffectSink): void {
  out.push({ type: 'respond-subscribe', subscriptionId: sub.id, status: 200, reason: 'OK', expires: seconds });
  if (seconds === 0) {
    sub.apply('unsubscribe');
    terminate(st, sub, now, 'timeout', out);
    return;
  }
  sub.apply('refresh');
  st.subs.scheduleExpiry(sub, now + seconds * 1000);
  notifyActive(st, sub, now, out);
}

function createSubscription(st: EngineState, req: SubscribeRequest, kind: SubscribeKind, decision: Decision, contentType: string): Subscription {
  const target = decision.outcome === 'allow' ? st.subs.internTarget(decision.line, req.target) : req.target;
  const sub = new Subscription(req.subscriptionId, req.watcher, target, req.event, contentType, kind);
  sub.handle = req.handle;
  if (decision.outcome === 'allow') sub.line = decision.line;
  // Rule 5: watchers of one routed target share one upstream and what it last reported
  if (decision.outcome === 'route') sub.trunk = decision.trunk;
  return sub;
}

/** Handles one parsed SUBSCRIBE (Rules 1-4). */
export function handleSubscribe(st: EngineState, req: SubscribeRequest, now: number, out: EffectSink): void {
  const pkg = EVENT_PACKAGES.get(req.event);
  if (!pkg) {
    out.push({ type: 'respond-subscribe', subscriptionId: req.subscriptionId, status: 489, reason: 'Bad Event' });
    return;
  }
  const expiry = checkExpires(st, req.expires);
  if (!expiry.ok) {
    out.push({ type: 'respond-subscribe', subscriptionId: req.subscriptionId, status: 423, reason: 'Interval Too Brief', minExpires: expiry.minExpires });
    return;
  }
  const existing = st.subs.get(req.subscriptionId);
  if (existing) return refresh(st, existing, expiry.seconds, now, out);
  if (req.refresh) {
    out.push({ type: 'respond-subscribe', subscriptionId: req.subscriptionId, status: 481, reason: 'Subscription Does Not Exist' });
    return;
  }
  const kind = classifySubscribeKind(st.dir, req.watcher, req.target);
  const decision = decide(st.dir, req.watcher, req.target, kind);
  if (decision.outcome === 'reject') return respondRejected(req, decision, out);
  const sub = createSubscription(st, req, kind, decision, selectContentType(pkg, req.accept) ?? pkg.contentTypes[0]!);
  out.push({ type: 'respond-subscribe', subscriptionId: sub.id, status: 200, reason: 'OK', expires: expiry.seconds, decision });
  sub.apply('authorize');
  sub.expiresAt = now + expiry.seconds * 1000;
  st.subs.add(sub);
  if (decision.outcome === 'route') {
    out.push({ type: 'route-subscribe', subscriptionId: sub.id, trunk: decision.trunk, target: req.target, event: req.event });
  }
  if (expiry.seconds === 0) {
    // Expires: 0 on an initial SUBSCRIBE is a fetch: one final NOTIFY with the current state.
    sub.apply('unsubscribe');
    terminate(st, sub, now, 'timeout', out);
    return;
  }
  notifyActive(st, sub, now, out);
}

