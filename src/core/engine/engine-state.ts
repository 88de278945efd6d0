/**
 * The engine's mutable runtime state, passed to its handler modules (one object, no globals).
 * Rule 1: `dir` is swapped whole on DirectoryReplaced, never mutated.
 */
import type { Directory } from '../model/index.js';
import { LineStateTable, type LineSnapshot } from '../line-state/index.js';
import { SubscriptionTable, type Subscription } from '../subscriptions/index.js';
import { EVENT_PACKAGES } from '../packages/index.js';
import { presentityUri } from '../policy/index.js';
import type { BlfState, Effect, SendNotify, TerminationReason } from './engine-io.js';

export interface EngineState {
  dir: Directory;
  readonly lines: LineStateTable;
  readonly subs: SubscriptionTable;
  /** last state PUBLISHed per user (coalescing) */
  readonly published: Map<string, BlfState>;
}

export function createEngineState(dir: Directory): EngineState {
  return { dir, lines: new LineStateTable(), subs: new SubscriptionTable(), published: new Map() };
}

/** What a subscription shows now: its line, or the remote state behind its trunk. */
export function snapshotFor(st: EngineState, sub: Subscription): LineSnapshot {
  if (sub.line !== null) return st.lines.snapshot(st.dir, sub.line);
  const dn = sub.target.kind === 'dn' ? sub.target.dn : sub.target.uri;
  return { line: '', dn, state: sub.remoteState, dnd: sub.remoteState === 'dnd', dialogs: sub.remoteDialogs };
}

function renderBody(st: EngineState, sub: Subscription, version: number): string {
  const pkg = EVENT_PACKAGES.get(sub.event)!;
  const device = sub.watcher.kind === 'device' ? st.dir.devices.get(sub.watcher.name) : undefined;
  return pkg.render({
    entity: presentityUri(sub.target, st.dir.params.domain),
    version,
    snapshot: snapshotFor(st, sub),
    singleDialogPerDocument: device?.singleDialogPerDocument ?? false,
  });
}

/**
 * Sends the current full state if no NOTIFY is in flight, else marks the subscription dirty
 * (subscription-table.ts Rule 1).
 */
export function notifyActive(st: EngineState, sub: Subscription, now: number, out: Effect[]): void {
  const version = st.subs.claimNotify(sub);
  if (version === undefined) return;
  out.push(buildNotify(st, sub, version, now, 'active'));
}

/** The final NOTIFY: sent regardless of one in flight, then the subscription is forgotten. */
export function terminate(st: EngineState, sub: Subscription, now: number, reason: TerminationReason, out: Effect[]): void {
  const version = sub.version++;
  out.push(buildNotify(st, sub, version, now, 'terminated', reason));
  endSubscription(st, sub, out);
}

/** Removes a subscription (and its relay out a trunk). */
export function endSubscription(st: EngineState, sub: Subscription, out: Effect[]): void {
  if (sub.trunk !== null) out.push({ type: 'route-unsubscribe', subscriptionId: sub.id, trunk: sub.trunk, target: sub.target });
  st.subs.remove(sub);
}

function buildNotify(
  st: EngineState,
  sub: Subscription,
  version: number,
  now: number,
  state: 'active' | 'terminated',
  reason?: TerminationReason,
): SendNotify {
  const base = {
    type: 'send-notify' as const,
    subscriptionId: sub.id,
    event: sub.event,
    contentType: sub.contentType,
    body: renderBody(st, sub, version),
    subscriptionState: state,
    version,
  };
  if (state === 'terminated') return { ...base, reason: reason ?? 'timeout' };
  return { ...base, expires: Math.max(0, Math.ceil((sub.expiresAt - now) / 1000)) };
}
