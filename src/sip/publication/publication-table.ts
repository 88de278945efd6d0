/**
 * RFC 3903 publisher (Event State Compositor client) state machine, written as data:
 * state × event → next state + action name (style.md §6; same `transition()` as the transactions).
 *
 * Rule 1: at most one PUBLISH in flight per publication; a change or removal meanwhile only marks
 *         the publication dirty and is replayed when the answer arrives (coalescing).
 * Rule 2: the table never reads a clock; the `Publication` object runs the actions with `now`.
 * Rule 3: every failure other than 412 / 423 goes through `backoff` (exponential, capped): a
 *         publisher never storms the ESC.
 *
 * Theory: the `Publication` derives the event from its data (e.g. a 412 to a remove is `removed`,
 * a timer with nothing left to send is `nothing-to-send`), then calls the action by name.
 */
import { transition, type Row, type Table } from '../transaction/index.js';

/** idle: nothing published yet · pending: waiting (coalesce window) to send · sending: one PUBLISH
 *  in flight · published: the ESC holds our entity-tag · backoff: waiting after a failure ·
 *  terminated: removed (or never published and removal asked). */
export type PublicationState = 'idle' | 'pending' | 'sending' | 'published' | 'backoff' | 'terminated';

export type PublicationEvent =
  | 'change' // new state to publish
  | 'remove' // withdraw the publication
  | 'timer' // the publication's one timer slot fired (coalesce, refresh or backoff)
  | 'nothing-to-send' // timer fired but there is no entity-tag to remove
  | 'ok' // 2xx to initial / refresh / modify
  | 'removed' // 2xx (or 412) to a remove
  | 'conditional-failed' // 412
  | 'interval-too-brief' // 423
  | 'failure'; // 5xx, 408, transaction timeout, transport error, other 4xx

export type PublicationAction =
  | 'schedule' // arm the coalesce timer (keep an earlier deadline)
  | 'schedule-now' // arm the timer at `now`
  | 'defer' // remember the change / removal; replayed after the in-flight answer
  | 'send' // build the next PUBLISH (initial / refresh / modify / remove)
  | 'record-etag' // store SIP-ETag + Expires, arm the refresh timer, replay deferred input
  | 'drop-etag' // forget the entity-tag, resend as initial at once
  | 'raise-expires' // take Min-Expires, resend at once
  | 'back-off' // arm the backoff timer
  | 'finish' // clear timer and entity-tag
  | 'ignore';

const schedule: Row<PublicationState, PublicationAction> = { next: 'pending', action: 'schedule' };

export const PUBLICATION_TABLE: Table<PublicationState, PublicationEvent, PublicationAction> = {
  idle: {
    // RFC 3903 §4.3 (paraphrased): the initial PUBLISH carries the body and no SIP-If-Match
    change: schedule,
    'nothing-to-send': { next: 'terminated', action: 'finish' },
    timer: { next: 'idle', action: 'ignore' },
  },
  pending: {
    change: { next: 'pending', action: 'schedule' },
    remove: { next: 'pending', action: 'schedule-now' },
    'nothing-to-send': { next: 'terminated', action: 'finish' },
    timer: { next: 'sending', action: 'send' },
  },
  sending: {
    // Rule 1: one PUBLISH in flight; later changes wait for its answer
    change: { next: 'sending', action: 'defer' },
    remove: { next: 'sending', action: 'defer' },
    'nothing-to-send': { next: 'sending', action: 'defer' },
    // RFC 3903 §6 step 7 (paraphrased): a 2xx carries the new SIP-ETag and the granted Expires
    ok: { next: 'published', action: 'record-etag' },
    removed: { next: 'terminated', action: 'finish' },
    // RFC 3903 §6 step 4 / §4.4 (paraphrased): 412 = unknown entity-tag; the EPA starts over with an initial PUBLISH
    'conditional-failed': { next: 'pending', action: 'drop-etag' },
    // RFC 3903 §6 step 5 (paraphrased): 423 carries Min-Expires; retry asking for at least that
    'interval-too-brief': { next: 'pending', action: 'raise-expires' },
    failure: { next: 'backoff', action: 'back-off' },
    timer: { next: 'sending', action: 'ignore' },
  },
  published: {
    change: schedule,
    remove: { next: 'pending', action: 'schedule-now' },
    'nothing-to-send': { next: 'terminated', action: 'finish' },
    // RFC 3903 §4.4 (paraphrased): refresh before expiry with SIP-If-Match and no body
    timer: { next: 'sending', action: 'send' },
  },
  backoff: {
    change: { next: 'backoff', action: 'defer' },
    remove: { next: 'backoff', action: 'defer' },
    'nothing-to-send': { next: 'terminated', action: 'finish' },
    timer: { next: 'sending', action: 'send' },
  },
  terminated: {
    timer: { next: 'terminated', action: 'ignore' },
    remove: { next: 'terminated', action: 'ignore' },
    'nothing-to-send': { next: 'terminated', action: 'ignore' },
  },
};

/** Looks up a row; throws `IllegalTransitionError` for a move the table does not list (a bug). */
export function transitionPublication(state: PublicationState, event: PublicationEvent): Row<PublicationState, PublicationAction> {
  return transition('publication', PUBLICATION_TABLE, state, event);
}
