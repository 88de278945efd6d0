/**
 * What the presence notifier needs from its surroundings (style §12 #8: events plus policy hooks,
 * pjsip evsub / resiprocate SubscriptionHandler). The composition root (`app/wire-presence.ts`)
 * implements them with the real SIP stack, engine driver, digest verifier and runtime store.
 */
import type { Flow, SipRequest, SipResponse } from '../../sip/index.js';
import type { EngineInput, WatcherRef } from '../../core/index.js';

/** Final result of a client transaction: a status, or 0 with why there was none. */
export type RequestResult =
  | { readonly status: number }
  | { readonly status: 0; readonly error: 'timeout' | 'transport' };

/** A received request in its server transaction (the SIP stack's `ServerTransaction` fits). */
export interface IncomingRequest {
  readonly request: SipRequest;
  readonly flow: Flow;
  /** answer in the server transaction (it absorbs retransmissions of the request) */
  respond(response: SipResponse): unknown;
}

/**
 * A non-INVITE request the notifier serialized itself. One object per request, no closures: a
 * fan-out keeps thousands of these until their watchers answer.
 */
export interface SerializedRequest {
  /** our top Via, set by the sender before the first `wire()` */
  via: string;
  /** the whole message, starting with `via`; the same text on every call (retransmissions) */
  wire(): string;
  /** the client transaction's outcome, exactly once */
  onFinal(result: RequestResult): void;
}

export interface NotifierSip {
  /** send `request` in a new client transaction over `flow` */
  sendSerialized(flow: Flow, request: SerializedRequest): void;
  /** our Contact URI for traffic on this flow (transport and listen point) */
  contactFor(flow: Flow): string;
}

/** Who sent a request, as far as presence is concerned. */
export type WatcherIdentity =
  | { readonly kind: 'watcher'; readonly watcher: WatcherRef }
  /** not (yet) identified: answer with this response (401/407 challenge, 403) */
  | { readonly kind: 'respond'; readonly response: SipResponse };

export interface WatcherIdentifier {
  identify(req: SipRequest, flow: Flow): WatcherIdentity;
}

/** Feeds the engine (through the app's engine driver, which dispatches the effects synchronously). */
export type SubmitInput = (input: EngineInput) => unknown;

/** The slice of the runtime store the notifier persists subscriptions through. */
export interface SubscriptionStorePort {
  saveSubscriptions(subs: readonly { id: string; record: unknown; updatedAt: number }[]): void;
  deleteSubscriptions(ids: readonly string[]): void;
  loadSubscriptions<R = unknown>(): { id: string; record: R; updatedAt: number }[];
}

export interface NotifierLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
