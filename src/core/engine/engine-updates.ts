/**
 * State changes that fan out to subscriptions: line changes (call events, registrations, DND),
 * remote state behind a trunk, PUBLISH trunk aggregation, and directory swaps.
 *
 * Rule 1: a line change re-renders every subscription on that line (coalesced by flow control)
 *         and then emits LineStateChanged, only when the aggregated state changed: the watchers'
 *         NOTIFYs go first, being the latency that counts (and an effect type the effect dispatch
 *         has not seen before would deoptimize it, with the NOTIFY path inlined in it, right before
 *         the fan-out).
 * Rule 2: PUBLISH (params.impPublishTrunk) aggregates per user over the user's line appearances and
 *         is emitted once per handle() call per user, only when that user's state changed.
 * Rule 3: a directory swap re-decides every subscription; only those whose decision changed are
 *         touched: now rejected → final NOTIFY (user-unknown → deactivated, else rejected); moved to
 *         another line or trunk → re-pointed and re-rendered.
 */
import { lineKey, type LineKey } from '../model/index.js';
import { aggregateUserState, type LineChange } from '../line-state/index.js';
import { decide } from '../policy/index.js';
import type { Subscription } from '../subscriptions/index.js';
import type { BlfState, Effect, EffectSink, RemoteStateChanged } from './engine-io.js';
import { notifyActive, RenderMemo, terminate, type EngineState } from './engine-state.js';

/** Rule 1; returns the users whose PUBLISH state may have changed. */
export function applyLineChanges(st: EngineState, changes: readonly LineChange[], now: number, out: EffectSink): Set<string> {
  const users = new Set<string>();
  // the line table already holds the new state of every changed line: one memo serves all of them
  const memo = new RenderMemo();
  for (const c of changes) {
    for (const sub of st.subs.onLine(c.line)) notifyActive(st, sub, now, out, memo);
    if (c.old !== c.new) out.push({ type: 'line-state-changed', line: c.line, dn: c.dn, old: c.old, new: c.new });
    for (const ref of st.dir.appearancesByLine.get(c.line) ?? []) {
      const app = st.dir.devices.get(ref.device)?.lines.find((l) => l.index === ref.index);
      for (const u of app?.users ?? []) users.add(u);
    }
  }
  return users;
}

/** Rule 2. */
export function publishUsers(st: EngineState, users: Iterable<string>, out: EffectSink): void {
  const trunk = st.dir.params.impPublishTrunk;
  if (trunk === null) return;
  for (const user of users) {
    const lines = new Map<LineKey, { line: LineKey; dn: string; state: BlfState }>();
    for (const ref of st.dir.appearanceUsers.get(user) ?? []) {
      const app = st.dir.devices.get(ref.device)?.lines.find((l) => l.index === ref.index);
      if (!app) continue;
      const key = lineKey(app.dn, app.partition);
      if (!lines.has(key)) lines.set(key, { line: key, dn: app.dn, state: st.lines.snapshot(st.dir, key).state });
    }
    const list = [...lines.values()];
    const state = aggregateUserState(list.map((l) => l.state));
    if (st.published.get(user) === state) continue;
    st.published.set(user, state);
    out.push({ type: 'publish', trunk, user, state, lines: list });
  }
}

/** The trunk relay reported the state behind a routed subscription. */
export function applyRemoteState(st: EngineState, input: RemoteStateChanged, now: number, out: EffectSink): void {
  st.subs.setRemote(input.trunk, input.target, { state: input.state, dialogs: input.dialogs });
  for (const sub of st.subs.onRoute(input.trunk, input.target)) notifyActive(st, sub, now, out);
}

function reevaluate(st: EngineState, sub: Subscription, now: number, out: EffectSink): void {
  const d = decide(st.dir, sub.watcher, sub.target, sub.kind);
  if (d.outcome === 'reject') {
    out.push({ type: 'log', level: 'info', message: 'subscription ended by a directory change', fields: { subscriptionId: sub.id, reason: d.reason } });
    sub.apply('deauthorize');
    terminate(st, sub, now, d.reason === 'user-unknown' ? 'deactivated' : 'rejected', out);
    return;
  }
  const line = d.outcome === 'allow' ? d.line : null;
  const trunk = d.outcome === 'route' ? d.trunk : null;
  if (line === sub.line && trunk === sub.trunk) return;
  if (sub.trunk !== null && sub.trunk !== trunk) {
    out.push({ type: 'route-unsubscribe', subscriptionId: sub.id, trunk: sub.trunk, target: sub.target });
  }
  if (trunk !== null && trunk !== sub.trunk) {
    out.push({ type: 'route-subscribe', subscriptionId: sub.id, trunk, target: sub.target, event: sub.event });
  }
  st.subs.retarget(sub, line, trunk);
  notifyActive(st, sub, now, out);
}

/** Rule 3, after the line table was re-aggregated for the new directory. */
export function reevaluateSubscriptions(st: EngineState, now: number, out: EffectSink): void {
  for (const sub of [...st.subs.all()]) reevaluate(st, sub, now, out);
}
