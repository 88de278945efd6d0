/**
 * The subscription registry: records indexed by id, by target line (fan-out) and by routed target
 * (trunk relay), with one timer slot each and NOTIFY flow control (style guide §6; re notify.c).
 *
 * Rule 1: at most one NOTIFY is in flight per subscription; a change meanwhile only sets `dirty`;
 *         the outcome of the in-flight NOTIFY sends one coalesced NOTIFY carrying the latest state.
 * Rule 2: `version` is the version of the NEXT document: 0 for the first (RFC 4235 §4.1), +1 each.
 * Rule 3: compact: a Subscription is a plain class instance of scalar fields and shared references;
 *         no per-subscription closures or Maps (budget: ≤ 640 bytes per active subscription; Node
 *         has no pointer compression, so every field is 8 bytes). The watchers of one line share
 *         one equal target object (`internTarget`); state, event, kind, content type and the dirty
 *         flag are codes in one integer field.
 * Rule 4: one timer slot per subscription (its expiry), kept in one indexed min-heap.
 * Rule 5: the state behind a routed target is one record per route, shared by the watchers on it
 *         (they share one upstream subscription), so a line subscription carries no remote fields.
 */
import type { LineKey } from '../model/index.js';
import type { BlfState, EventPackageName, LineDialog, PresentityRef, WatcherRef } from '../engine/engine-io.js';
import type { SubscribeKind } from '../policy/index.js';
import { CoreInvariantError } from '../errors.js';
import { EVENT_PACKAGES } from '../packages/index.js';
import { TimerHeap } from './timer-heap.js';
import { transitionSubscription, type SubscriptionInput, type SubscriptionState } from './subscription-fsm.js';

/** Plain-JSON form for persistence across restarts. */
export interface SubscriptionRecord {
  readonly id: string;
  readonly watcher: WatcherRef;
  readonly target: PresentityRef;
  readonly event: EventPackageName;
  readonly contentType: string;
  readonly kind: SubscribeKind;
  readonly line: LineKey | null;
  readonly trunk: string | null;
  readonly expiresAt: number;
  /** version of the next document to send */
  readonly version: number;
}

/** Rule 5: what the trunk relay last reported for a routed target. */
export interface RemoteState {
  readonly state: BlfState;
  readonly dialogs: readonly LineDialog[];
}

/** A route nothing has been reported for yet (shared, never mutated). */
const REMOTE_UNKNOWN: RemoteState = Object.freeze({ state: 'unknown', dialogs: Object.freeze([]) });

function samePresentity(a: PresentityRef, b: PresentityRef): boolean {
  return a.kind === 'dn' ? b.kind === 'dn' && a.dn === b.dn : b.kind === 'uri' && a.uri === b.uri;
}

/** Rule 3: the small enumerations of a subscription, as codes packed into one integer field. */
const STATES: readonly SubscriptionState[] = ['pending', 'active', 'terminated'];
const EVENTS: readonly EventPackageName[] = ['dialog', 'presence'];
const KINDS: readonly SubscribeKind[] = ['blf-speed-dial', 'call-list'];
/** the event packages' content types; one a restored record brings is appended (a handful at most) */
const CONTENT_TYPES: string[] = [...new Set([...EVENT_PACKAGES.values()].flatMap((p) => p.contentTypes))];

const STATE_MASK = 0b11;
const EVENT_BIT = 2;
const KIND_BIT = 3;
const DIRTY_BIT = 4;
const CONTENT_SHIFT = 5;

function codeOf<T>(list: readonly T[], value: T, what: string): number {
  const i = list.indexOf(value);
  if (i < 0) throw new CoreInvariantError(`unknown ${what} ${String(value)}`);
  return i;
}

function contentTypeCode(contentType: string): number {
  const i = CONTENT_TYPES.indexOf(contentType);
  return i >= 0 ? i : CONTENT_TYPES.push(contentType) - 1;
}

export class Subscription {
  line: LineKey | null = null;
  trunk: string | null = null;
  version = 0;
  /** version of the NOTIFY in flight, or -1 */
  inFlight = -1;
  /** the timer slot's deadline: the expiry (Rule 4) */
  timerAt = 0;
  /** place in the timer heap, -1 when no timer is armed */
  heapIndex = -1;
  /** the adapter's record of this subscription (`SubscribeRequest.handle`), opaque here */
  handle: unknown = undefined;
  /** Rule 3: state, event, kind, dirty flag and content type */
  private codes: number;

  constructor(
    readonly id: string,
    readonly watcher: WatcherRef,
    readonly target: PresentityRef,
    event: EventPackageName,
    contentType: string,
    kind: SubscribeKind,
  ) {
    this.codes = (codeOf(EVENTS, event, 'event package') << EVENT_BIT) | (codeOf(KINDS, kind, 'subscribe kind') << KIND_BIT)
      | (contentTypeCode(contentType) << CONTENT_SHIFT);
  }

  get state(): SubscriptionState {
    return STATES[this.codes & STATE_MASK]!;
  }

  get event(): EventPackageName {
    return EVENTS[(this.codes >> EVENT_BIT) & 1]!;
  }

  get kind(): SubscribeKind {
    return KINDS[(this.codes >> KIND_BIT) & 1]!;
  }

  get contentType(): string {
    return CONTENT_TYPES[this.codes >>> CONTENT_SHIFT]!;
  }

  /** a change arrived while a NOTIFY was in flight (Rule 1) */
  get dirty(): boolean {
    return (this.codes & (1 << DIRTY_BIT)) !== 0;
  }

  set dirty(on: boolean) {
    this.codes = on ? this.codes | (1 << DIRTY_BIT) : this.codes & ~(1 << DIRTY_BIT);
  }

  /** ms since the epoch; one field with `timerAt` (a boxed double each would cost ~24 bytes) */
  get expiresAt(): number {
    return this.timerAt;
  }

  set expiresAt(at: number) {
    this.timerAt = at;
  }

  apply(input: SubscriptionInput): void {
    const next = transitionSubscription(this.state, input);
    this.codes = (this.codes & ~STATE_MASK) | STATES.indexOf(next);
  }
}

/** Key of a routed target on a trunk. */
export function routeKey(trunk: string, target: PresentityRef): string {
  return `${trunk}|${target.kind === 'dn' ? target.dn : target.uri}`;
}

function addTo<K>(index: Map<K, Set<Subscription>>, key: K, sub: Subscription): void {
  const set = index.get(key);
  if (set) set.add(sub);
  else index.set(key, new Set([sub]));
}

function removeFrom<K>(index: Map<K, Set<Subscription>>, key: K, sub: Subscription): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(sub);
  if (set.size === 0) index.delete(key);
}

export class SubscriptionTable {
  private readonly byId = new Map<string, Subscription>();
  private readonly byLine = new Map<LineKey, Set<Subscription>>();
  /** one key string per watched line, shared by its subscriptions (each built its own copy) */
  private readonly lineKeys = new Map<LineKey, LineKey>();
  private readonly byRoute = new Map<string, Set<Subscription>>();
  /** Rule 5: per route key, while the route has subscriptions */
  private readonly remotes = new Map<string, RemoteState>();
  private readonly timers = new TimerHeap<Subscription>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Subscription | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<Subscription> {
    return this.byId.values();
  }

  /** Subscriptions watching a line (fan-out), in insertion order. */
  onLine(line: LineKey): readonly Subscription[] {
    return [...(this.byLine.get(line) ?? [])];
  }

  /** Rule 3: an equal target already held by a subscription on `line`, else `target` itself. */
  internTarget(line: LineKey, target: PresentityRef): PresentityRef {
    const first = this.byLine.get(line)?.values().next().value;
    return first !== undefined && samePresentity(first.target, target) ? first.target : target;
  }

  onRoute(trunk: string, target: PresentityRef): readonly Subscription[] {
    return [...(this.byRoute.get(routeKey(trunk, target)) ?? [])];
  }

  /** Rule 5: what is known behind a routed subscription's target (unknown for a line subscription). */
  remoteOf(sub: Subscription): RemoteState {
    return sub.trunk === null ? REMOTE_UNKNOWN : this.remotes.get(routeKey(sub.trunk, sub.target)) ?? REMOTE_UNKNOWN;
  }

  /** Rule 5: records what the relay reported for a route that has subscriptions (else nothing). */
  setRemote(trunk: string, target: PresentityRef, remote: RemoteState): void {
    const key = routeKey(trunk, target);
    if (this.byRoute.has(key)) this.remotes.set(key, remote);
  }

  add(sub: Subscription): void {
    if (this.byId.has(sub.id)) throw new CoreInvariantError(`subscription ${sub.id} already exists`);
    this.byId.set(sub.id, sub);
    this.index(sub);
    this.scheduleExpiry(sub, sub.expiresAt);
  }

  /** Points a subscription at another line or trunk, keeping the indexes right. */
  retarget(sub: Subscription, line: LineKey | null, trunk: string | null): void {
    this.unindex(sub);
    sub.line = line;
    sub.trunk = trunk;
    this.index(sub);
  }

  scheduleExpiry(sub: Subscription, expiresAt: number): void {
    sub.expiresAt = expiresAt;
    this.timers.schedule(sub, expiresAt);
  }

  remove(sub: Subscription): void {
    if (this.byId.get(sub.id) !== sub) return;
    this.byId.delete(sub.id);
    this.unindex(sub);
    this.timers.cancel(sub);
  }

  /** Earliest timer deadline, if any. */
  nextDeadline(): number | undefined {
    return this.timers.peek()?.timerAt;
  }

  /** Pops one subscription whose timer is due at `now`. */
  popDue(now: number): Subscription | undefined {
    return this.timers.popDue(now);
  }

  /**
   * Rule 1: claims the right to send a NOTIFY. Returns the version to send, or undefined when one
   * is already in flight (the subscription is then marked dirty).
   */
  claimNotify(sub: Subscription): number | undefined {
    if (sub.inFlight >= 0) {
      sub.dirty = true;
      return undefined;
    }
    sub.dirty = false;
    sub.inFlight = sub.version;
    sub.version++;
    return sub.inFlight;
  }

  /** A NOTIFY was answered; returns true when a coalesced NOTIFY is now due. */
  settleNotify(sub: Subscription, version: number): boolean {
    if (sub.inFlight !== version) return false;
    sub.inFlight = -1;
    return sub.dirty;
  }

  toRecord(sub: Subscription): SubscriptionRecord {
    const { id, watcher, target, event, contentType, kind, line, trunk, expiresAt, version } = sub;
    return { id, watcher, target, event, contentType, kind, line, trunk, expiresAt, version };
  }

  private index(sub: Subscription): void {
    if (sub.line !== null) {
      const shared = this.lineKeys.get(sub.line);
      if (shared === undefined) this.lineKeys.set(sub.line, sub.line);
      else sub.line = shared;
      addTo(this.byLine, sub.line, sub);
    }
    if (sub.trunk !== null) addTo(this.byRoute, routeKey(sub.trunk, sub.target), sub);
  }

  private unindex(sub: Subscription): void {
    if (sub.line !== null) {
      removeFrom(this.byLine, sub.line, sub);
      if (!this.byLine.has(sub.line)) this.lineKeys.delete(sub.line);
    }
    if (sub.trunk !== null) {
      const key = routeKey(sub.trunk, sub.target);
      removeFrom(this.byRoute, key, sub);
      if (!this.byRoute.has(key)) this.remotes.delete(key);
    }
  }
}
