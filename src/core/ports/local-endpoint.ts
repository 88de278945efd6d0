/**
 * The seam between the B2BUA and endpoints that are not SIP user agents (SCCP phones): one call leg
 * toward such a device, and placing a call from one (issue 5). Types only; the b2bua adapter uses
 * the port, the sccp-lines adapter implements it, the app connects them (adapters never meet).
 *
 * Rule 1: SDP travels as text: the local side describes its media in an offer/answer (built from
 *         what the device reported); no media is relayed.
 * Rule 2: each side owns the line-appearance dialogs of its own devices: the B2BUA emits CallEvents
 *         for SIP appearances, the local adapter for its devices' appearances.
 * Rule 3: after `onFailed` or `onHungUp` a leg is over; `end()` on a leg that is over is a no-op.
 */
import type { Identity } from '../engine/engine-io.js';
import type { AppearanceRef } from '../model/index.js';

/** What one side of a call reports to the other. */
export interface CallLegListener {
  /** the called party is alerting (SIP 180) */
  onAlerting(): void;
  /** the called party answered with this SDP answer (or offer, for a call placed without one) */
  onAnswered(sdp: string): void;
  /** the call failed before an answer; `status` in SIP terms (404, 480, 486, 487, 503 …) */
  onFailed(status: number, reason: string): void;
  /** the other party hung up after the answer */
  onHungUp(): void;
}

/** Why a leg is ended from the other side. */
export type LegEndReason = 'cancelled' | 'answered-elsewhere' | 'hung-up';

/** Control of one leg, held by the other side. */
export interface CallLegControl {
  /** before the answer: stop alerting (cancelled / answered elsewhere); after it: hang up */
  end(reason: LegEndReason): void;
}

/** A call offered to a local endpoint. */
export interface LocalCallOffer {
  readonly callId: string;
  /** who calls, as the called phone should display it */
  readonly caller: Identity;
  /** the called line, as dialled */
  readonly callee: Identity;
  /** the calling side's SDP offer ('' when it sent none) */
  readonly sdp: string;
}

/** The port the B2BUA uses to reach devices registered over a non-SIP protocol. */
export interface LocalEndpointPort {
  /** true when the device is registered on this port now */
  serves(device: string): boolean;
  /** true when the device cannot take another call now (a fork to it would be refused) */
  busy(device: string): boolean;
  /** Rings one appearance; undefined when it cannot take the call now (busy). */
  ring(appearance: AppearanceRef, offer: LocalCallOffer, listener: CallLegListener): CallLegControl | undefined;
}

/** A call placed by a local endpoint (digits collected on the device). */
export interface LocalCallRequest {
  readonly appearance: AppearanceRef;
  /** the collected digits */
  readonly dialled: string;
  readonly callId: string;
  readonly caller: Identity;
  /** the calling device's SDP offer */
  readonly sdp: string;
}

/** Places a local call through the B2BUA; the listener hears about the far side. */
export type PlaceLocalCall = (request: LocalCallRequest, listener: CallLegListener) => CallLegControl;
