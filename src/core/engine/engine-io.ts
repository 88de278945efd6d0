/**
 * The engine's inputs and effects (DESIGN.md "The flow"): adapters turn wire messages into inputs,
 * `engine.handle(input, now)` returns effects, adapters render/send them and report outcomes back.
 *
 * Rule 1: inputs and effects are plain data; a test can build and inspect every one of them.
 * Rule 2: `now` is milliseconds since the epoch, passed in; the core never reads a clock.
 * Rule 3: a subscription is named by an opaque `subscriptionId` chosen by the adapter (its SIP
 *         dialog id); the core never parses it.
 */
import type { AppearanceRef, Directory, LineKey } from '../model/index.js';
import type { Decision } from '../policy/presence-policy.js';

/** RFC 4235 §4.1 dialog states, in the RFC's words. */
export type DialogState = 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated';
/** RFC 4235: initiator = the monitored UA sent the INVITE; recipient = it received it. */
export type DialogDirection = 'initiator' | 'recipient';

export interface Identity {
  readonly uri: string;
  readonly display?: string;
}

/** One call leg on a line appearance, as the line's BLF sees it (RFC 4235 `<dialog>`). */
export interface LineDialog {
  /** unique per dialog on this appearance; stable across updates */
  readonly id: string;
  readonly callId: string;
  readonly localTag?: string;
  readonly remoteTag?: string;
  readonly direction: DialogDirection;
  readonly state: DialogState;
  /** RFC 4235 `event` attribute on a terminated state */
  readonly terminationEvent?: 'cancelled' | 'rejected' | 'replaced' | 'local-bye' | 'remote-bye' | 'error' | 'timeout';
  readonly local: Identity;
  readonly remote: Identity;
  /** on hold (confirmed + `+sip.rendering=no`) */
  readonly held?: boolean;
}

/** Who watches: a line-side device (SIP or SCCP), a user (explain only) or a trunk. */
export type WatcherRef =
  | { readonly kind: 'device'; readonly name: string }
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'trunk'; readonly name: string };

/** What is watched: a DN (digits) or a URI (`sip:2001@acme.test`, `sip:alice@partner.test`). */
export type PresentityRef =
  | { readonly kind: 'dn'; readonly dn: string }
  | { readonly kind: 'uri'; readonly uri: string };

export type EventPackageName = 'dialog' | 'presence';

// ---------------------------------------------------------------- inputs

export interface DirectoryReplaced {
  readonly type: 'directory-replaced';
  readonly directory: Directory;
}

/** A device registered (any contact) or lost its last registration / keepalive. */
export interface RegistrationChanged {
  readonly type: 'registration';
  readonly device: string;
  readonly registered: boolean;
}

/** A call leg on a line appearance changed; `dialog.state === 'terminated'` ends it. */
export interface CallEvent {
  readonly type: 'call-event';
  readonly appearance: AppearanceRef;
  readonly dialog: LineDialog;
}

/** Do Not Disturb toggled on a device. */
export interface DndChanged {
  readonly type: 'dnd';
  readonly device: string;
  readonly on: boolean;
}

/** A parsed SUBSCRIBE (initial, refresh, or Expires: 0). */
export interface SubscribeRequest {
  readonly type: 'subscribe';
  readonly subscriptionId: string;
  readonly watcher: WatcherRef;
  readonly target: PresentityRef;
  readonly event: EventPackageName;
  /** the Expires the watcher asked for; undefined = package default */
  readonly expires?: number;
  /** in-dialog refresh (or un-subscribe) of an existing subscription */
  readonly refresh: boolean;
  /** the SUBSCRIBE's Accept media types (lower case, no parameters needed); absent = package default */
  readonly accept?: readonly string[];
  /**
   * The adapter's own record of a new subscription (e.g. its SIP dialog), opaque to the core: kept
   * with the subscription and handed back on each of its SendNotify effects and by `handleOf`, so the
   * adapter needs no id map of its own. Ignored on a refresh.
   */
  readonly handle?: unknown;
}

/** What became of a SendNotify. */
export interface NotifyOutcome {
  readonly type: 'notify-outcome';
  readonly subscriptionId: string;
  readonly version: number;
  /** ok = 2xx; gone = 481 (or other final failure); timeout = 408 / transaction timeout */
  readonly outcome: 'ok' | 'gone' | 'timeout' | 'failed';
  readonly status?: number;
}

/** Timer tick: the engine asked for it with WakeAt. */
export interface Tick {
  readonly type: 'tick';
}

/**
 * The state of a presentity behind a trunk changed (the trunk relay's NOTIFY came in), for
 * subscriptions that were routed out that trunk (RouteSubscribe).
 */
export interface RemoteStateChanged {
  readonly type: 'remote-state';
  readonly trunk: string;
  readonly target: PresentityRef;
  readonly state: BlfState;
  readonly dialogs: readonly LineDialog[];
}

export type EngineInput =
  | DirectoryReplaced
  | RemoteStateChanged
  | RegistrationChanged
  | CallEvent
  | DndChanged
  | SubscribeRequest
  | NotifyOutcome
  | Tick;

// ---------------------------------------------------------------- effects

/** Aggregated BLF state of a line (CUCM: idle / ringing(alerting) / busy / unknown; DND optional). */
export type BlfState = 'idle' | 'ringing' | 'busy' | 'unknown' | 'dnd';

export type SubscribeStatus = 200 | 403 | 404 | 423 | 481 | 489;

/** Answer to a SUBSCRIBE (RFC 6665 §4.2.1): 200 carries Expires; 423 carries Min-Expires. */
export interface RespondSubscribe {
  readonly type: 'respond-subscribe';
  readonly subscriptionId: string;
  readonly status: SubscribeStatus;
  readonly reason: string;
  readonly expires?: number;
  readonly minExpires?: number;
  /** the policy decision behind the answer (absent for 423/481/489) */
  readonly decision?: Decision;
}

export type TerminationReason = 'timeout' | 'deactivated' | 'noresource' | 'rejected';

/** A NOTIFY to send in the subscription's dialog (RFC 6665 §4.2.2). */
export interface SendNotify {
  readonly type: 'send-notify';
  readonly subscriptionId: string;
  readonly event: EventPackageName;
  readonly contentType: string;
  readonly body: string;
  /** UTF-8 length of `body` (Content-Length), known from the template without reading the body */
  readonly bodyBytes: number;
  readonly subscriptionState: 'active' | 'terminated';
  /** seconds left, for `Subscription-State: active;expires=N` */
  readonly expires?: number;
  readonly reason?: TerminationReason;
  /** the document version in the body; echo it in NotifyOutcome */
  readonly version: number;
  /** the subscription's `SubscribeRequest.handle` (undefined when it came without one) */
  readonly handle: unknown;
}

/** A line's aggregated BLF state changed (SCCP lamps, PUBLISH trunk). */
export interface LineStateChanged {
  readonly type: 'line-state-changed';
  readonly line: LineKey;
  readonly dn: string;
  readonly old: BlfState;
  readonly new: BlfState;
}

/** Relay a subscription out a trunk (route pattern / SIP route pattern outcome). */
export interface RouteSubscribe {
  readonly type: 'route-subscribe';
  readonly subscriptionId: string;
  readonly trunk: string;
  readonly target: PresentityRef;
  readonly event: EventPackageName;
}

/** The relayed subscription is no longer needed (ended, or re-routed elsewhere). */
export interface RouteUnsubscribe {
  readonly type: 'route-unsubscribe';
  readonly subscriptionId: string;
  readonly trunk: string;
  readonly target: PresentityRef;
}

/** PUBLISH a user's aggregated state to the IM server over params.impPublishTrunk. */
export interface Publish {
  readonly type: 'publish';
  readonly trunk: string;
  readonly user: string;
  readonly state: BlfState;
  readonly lines: readonly { readonly line: LineKey; readonly dn: string; readonly state: BlfState }[];
}

/** Call `handle({type:'tick'}, now)` at or after `at`. */
export interface WakeAt {
  readonly type: 'wake-at';
  readonly at: number;
}

export interface Log {
  readonly type: 'log';
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * Where the engine puts its effects, in order. An array collects them; the driver passes a sink that
 * dispatches each at once, so a fan-out's first NOTIFY leaves before the last one is built.
 */
export interface EffectSink {
  push(effect: Effect): unknown;
}

export type Effect =
  | RespondSubscribe
  | SendNotify
  | LineStateChanged
  | RouteSubscribe
  | RouteUnsubscribe
  | Publish
  | WakeAt
  | Log;
