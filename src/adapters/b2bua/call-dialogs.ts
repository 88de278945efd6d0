/**
 * Builds the engine's `CallEvent`s for the two sides of a B2BUA call (blf-facts §1.2, §3): the
 * caller's line appearance (direction initiator) and each callee appearance that rings (recipient).
 *
 * Rule 1: ids, call-id and tags name *our* leg toward the monitored phone, so a `Replaces` built from
 *         a NOTIFY matches (blf-facts §1.2 "IDs and tags must refer to our leg toward the monitored
 *         phone"). For the callee the local tag is the phone's To-tag, the remote tag our From-tag.
 * Rule 2: a callee appearance is shown from `early` on (a recipient in trying/proceeding would light
 *         the BLF busy before the phone rings); a leg that never got that far emits nothing.
 */
import type { AppearanceRef, CallEvent, Identity, LineDialog } from '../../core/index.js';

export type TerminationEvent = NonNullable<LineDialog['terminationEvent']>;

export interface LegView {
  readonly id: string;
  readonly callId: string;
  /** the monitored phone's tag */
  readonly localTag?: string;
  /** our tag toward that phone */
  readonly remoteTag?: string;
  readonly state: LineDialog['state'];
  readonly terminationEvent?: TerminationEvent;
  readonly local: Identity;
  readonly remote: Identity;
  readonly held?: boolean;
}

function withOptional(view: LegView, direction: LineDialog['direction']): LineDialog {
  return {
    id: view.id,
    callId: view.callId,
    direction,
    state: view.state,
    local: view.local,
    remote: view.remote,
    ...(view.localTag !== undefined ? { localTag: view.localTag } : {}),
    ...(view.remoteTag !== undefined ? { remoteTag: view.remoteTag } : {}),
    ...(view.state === 'terminated' && view.terminationEvent !== undefined ? { terminationEvent: view.terminationEvent } : {}),
    ...(view.held ? { held: true } : {}),
  };
}

/** The caller's appearance (initiator). */
export function callerEvent(appearance: AppearanceRef, view: LegView): CallEvent {
  return { type: 'call-event', appearance, dialog: withOptional(view, 'initiator') };
}

/** A callee appearance (recipient). */
export function calleeEvent(appearance: AppearanceRef, view: LegView): CallEvent {
  return { type: 'call-event', appearance, dialog: withOptional(view, 'recipient') };
}

/** Rule 2: should a callee leg in `state` be shown, given whether it was shown before? */
export function calleeVisible(state: LineDialog['state'], shownBefore: boolean): boolean {
  if (state === 'early' || state === 'confirmed') return true;
  return state === 'terminated' && shownBefore;
}
