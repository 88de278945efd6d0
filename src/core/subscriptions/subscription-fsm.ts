/**
 * Subscription state machine as data (RFC 6665 §4.1.2 / §4.2.2; h11-style table).
 *
 * Rule 1: states are the RFC's Subscription-State values: pending, active, terminated.
 * Rule 2: `transitionSubscription` throws IllegalTransitionError on a move the table lacks: that is
 *         a bug in the engine, never a peer error.
 * Theory: the core decides authorization synchronously, so `pending` is only passed through; it is
 *         kept so that a future asynchronous authorization (polite-block, RFC 3856 §6.6) fits in.
 */
import { IllegalTransitionError } from '../errors.js';

export type SubscriptionState = 'pending' | 'active' | 'terminated';

export type SubscriptionInput =
  | 'authorize' //   policy allowed (or routed) the subscription
  | 'refresh' //     RFC 6665 §4.2.1.2: a refreshing SUBSCRIBE resets the expiry
  | 'unsubscribe' // RFC 6665 §4.2.1.4: "Expires: 0" → final NOTIFY, terminated
  | 'expire' //      RFC 6665 §4.2.2: the expiry passed → terminated;reason=timeout
  | 'notify-failed' // RFC 6665 §4.2.2: "a 481 response to a NOTIFY ... MUST remove the subscription"
  | 'deauthorize' // policy changed (directory swap) → terminated;reason=deactivated|rejected
  | 'reject'; //     policy refused while pending

const TABLE: Readonly<Record<SubscriptionState, Partial<Record<SubscriptionInput, SubscriptionState>>>> = {
  pending: { authorize: 'active', reject: 'terminated', unsubscribe: 'terminated', expire: 'terminated', 'notify-failed': 'terminated' },
  active: {
    refresh: 'active',
    unsubscribe: 'terminated',
    expire: 'terminated',
    'notify-failed': 'terminated',
    deauthorize: 'terminated',
  },
  terminated: {},
};

/** Rule 2. */
export function transitionSubscription(from: SubscriptionState, input: SubscriptionInput): SubscriptionState {
  const next = TABLE[from][input];
  if (next === undefined) throw new IllegalTransitionError('subscription', from, input);
  return next;
}
