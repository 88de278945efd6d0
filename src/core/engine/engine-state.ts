/**
 * The engine's mutable runtime state, passed to its handler modules (one object, no globals).
 * Rule 1: `dir` is swapped whole on DirectoryReplaced, never mutated.
 * Rule 2: a fan-out renders each distinct document once (`RenderMemo`): the subscriptions of one line
 *         change share the line's snapshot and the template per package, entity and single-dialog
 *         flag; each gets its own version (event-packages.ts Rule 3).
 * Rule 3: every NOTIFY body is rendered the fan-out's way, a lone one through a memo of its own: the
 *         initial NOTIFYs then train the JIT on the code the first state change runs, instead of
 *         that fan-out deoptimizing the NOTIFY path on its first watcher and running thousands of
 *         NOTIFYs in unoptimized code until V8 has compiled it again (in-process, the first fan-out
 *         to 5,000 after their SUBSCRIBEs took up to twice as long as the next).
 */
import type { Directory, LineKey } from '../model/index.js';
import { LineStateTable, type LineSnapshot } from '../line-state/index.js';
import { SubscriptionTable, type Subscription } from '../subscriptions/index.js';
import { EVENT_PACKAGES, fillTemplate, type DocumentTemplate } from '../packages/index.js';
import { presentityUri } from '../policy/index.js';
import { decimalDigits, utf8Length } from '../render/index.js';
import type { BlfState, Effect, EffectSink, PresentityRef, SendNotify, TerminationReason } from './engine-io.js';

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
  const remote = st.subs.remoteOf(sub);
  return { line: '', dn, state: remote.state, dnd: remote.state === 'dnd', dialogs: remote.dialogs };
}

/** A template with the UTF-8 lengths of its parts (each watcher's Content-Length without its body). */
interface SizedTemplate {
  readonly template: DocumentTemplate;
  readonly headBytes: number;
  readonly tailBytes: number;
}

function sized(template: DocumentTemplate): SizedTemplate {
  return { template, headBytes: utf8Length(template.head), tailBytes: template.tail === undefined ? 0 : utf8Length(template.tail) };
}

/**
 * Rule 2: what one fan-out has rendered so far; valid while neither line state nor directory changes.
 * Templates are found by line, then by the subscription's target object (the watchers of a line
 * share one, `internTarget`), then by event package and single-dialog option: no key string is
 * built, and no entity URI rendered, per watcher.
 */
export class RenderMemo {
  private readonly snapshots = new Map<LineKey, LineSnapshot>();
  private readonly templates = new Map<LineKey, Map<PresentityRef, Array<SizedTemplate | undefined>>>();

  snapshot(st: EngineState, line: LineKey): LineSnapshot {
    let snap = this.snapshots.get(line);
    if (snap === undefined) {
      snap = st.lines.snapshot(st.dir, line);
      this.snapshots.set(line, snap);
    }
    return snap;
  }

  template(line: LineKey, target: PresentityRef, variant: number, render: () => DocumentTemplate): SizedTemplate {
    let byTarget = this.templates.get(line);
    if (byTarget === undefined) {
      byTarget = new Map();
      this.templates.set(line, byTarget);
    }
    let variants = byTarget.get(target);
    if (variants === undefined) {
      variants = [];
      byTarget.set(target, variants);
    }
    let t = variants[variant];
    if (t === undefined) {
      t = sized(render());
      variants[variant] = t;
    }
    return t;
  }
}

/** A rendered document and its UTF-8 length. */
interface Body {
  readonly text: string;
  readonly bytes: number;
}

function renderBody(st: EngineState, sub: Subscription, version: number, memo: RenderMemo | undefined): Body {
  const pkg = EVENT_PACKAGES.get(sub.event)!;
  const device = sub.watcher.kind === 'device' ? st.dir.devices.get(sub.watcher.name) : undefined;
  const single = device?.singleDialogPerDocument ?? false;
  const line = sub.line;
  let t: SizedTemplate;
  if (line === null) {
    t = sized(pkg.renderTemplate({
      entity: presentityUri(sub.target, st.dir.params.domain), snapshot: snapshotFor(st, sub), singleDialogPerDocument: single,
    }));
  } else {
    // Rule 3: a NOTIFY outside a fan-out (initial, refresh) goes through a memo of its own
    const m = memo ?? new RenderMemo();
    const variant = (sub.event === 'dialog' ? 0 : 2) + (single ? 1 : 0);
    t = m.template(line, sub.target, variant, () => pkg.renderTemplate({
      entity: presentityUri(sub.target, st.dir.params.domain), snapshot: m.snapshot(st, line), singleDialogPerDocument: single,
    }));
  }
  const text = fillTemplate(t.template, version);
  return { text, bytes: t.template.tail === undefined ? t.headBytes : t.headBytes + decimalDigits(version) + t.tailBytes };
}

/**
 * Sends the current full state if no NOTIFY is in flight, else marks the subscription dirty
 * (subscription-table.ts Rule 1).
 */
export function notifyActive(st: EngineState, sub: Subscription, now: number, out: EffectSink, memo?: RenderMemo): void {
  const version = st.subs.claimNotify(sub);
  if (version === undefined) return;
  out.push(buildNotify(st, sub, version, now, 'active', undefined, memo));
}

/** The final NOTIFY: sent regardless of one in flight, then the subscription is forgotten. */
export function terminate(st: EngineState, sub: Subscription, now: number, reason: TerminationReason, out: EffectSink): void {
  const version = sub.version++;
  out.push(buildNotify(st, sub, version, now, 'terminated', reason));
  endSubscription(st, sub, out);
}

/** Removes a subscription (and its relay out a trunk). */
export function endSubscription(st: EngineState, sub: Subscription, out: EffectSink): void {
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
  memo?: RenderMemo,
): SendNotify {
  const body = renderBody(st, sub, version, memo);
  // two literals rather than a spread of a shared base: one object per NOTIFY, built in one step
  if (state === 'terminated') {
    return {
      type: 'send-notify', subscriptionId: sub.id, event: sub.event, contentType: sub.contentType, body: body.text, bodyBytes: body.bytes,
      subscriptionState: state, version, reason: reason ?? 'timeout', handle: sub.handle,
    };
  }
  return {
    type: 'send-notify', subscriptionId: sub.id, event: sub.event, contentType: sub.contentType, body: body.text, bodyBytes: body.bytes,
    subscriptionState: state, version, expires: Math.max(0, Math.ceil((sub.expiresAt - now) / 1000)), handle: sub.handle,
  };
}
