/**
 * State machines of one B2BUA call, as data (style.md §6, h11 `_state.py`).
 *
 * The *inbound leg* is the caller's INVITE (we are its UAS); each *outbound leg* is one fork to one
 * registered contact of a device carrying the called line (we are its UAC). States use RFC 4235's
 * words so they map 1:1 onto the dialog-info the BLF shows.
 *
 * Rule 1: `transition()` throws `IllegalCallTransition` on a move the table lacks: that is our bug.
 * Rule 2: inputs a peer can repeat at any time (a retransmitted 2xx, a late 1xx) have explicit
 *         self-loops, so peer behaviour never reaches Rule 1.
 * Theory: an outbound leg is `early` once a provisional response carries a To-tag (RFC 4235 §3.7.1
 *         "early … a provisional response with a To tag"), `confirmed` on 2xx; an inbound leg is
 *         `early` once we relayed a tagged 18x, `confirmed` once we sent 2xx.
 */

export type LegState = 'trying' | 'proceeding' | 'early' | 'cancelling' | 'confirmed' | 'terminated';

/** What happens to an outbound (UAC) leg. */
export type OutboundInput =
  | 'trying-1xx' // 100 (hop-by-hop, no dialog)
  | 'ringing-1xx' // 18x with a To-tag
  | 'answer-2xx'
  | 'reject-final' // 3xx-6xx
  | 'timeout' // Timer B / transport error
  | 'cancel' // we send CANCEL (caller gave up, another fork answered, picked up)
  | 'bye-sent'
  | 'bye-received';

export const OUTBOUND_TABLE: Readonly<Record<LegState, Partial<Record<OutboundInput, LegState>>>> = {
  // RFC 3261 §17.1.1.2: 1xx moves Calling → Proceeding; 2xx/3xx-6xx end the client transaction
  trying: { 'trying-1xx': 'proceeding', 'ringing-1xx': 'early', 'answer-2xx': 'confirmed', 'reject-final': 'terminated', timeout: 'terminated', cancel: 'cancelling' },
  proceeding: { 'trying-1xx': 'proceeding', 'ringing-1xx': 'early', 'answer-2xx': 'confirmed', 'reject-final': 'terminated', timeout: 'terminated', cancel: 'cancelling' },
  early: { 'trying-1xx': 'early', 'ringing-1xx': 'early', 'answer-2xx': 'confirmed', 'reject-final': 'terminated', timeout: 'terminated', cancel: 'cancelling', 'bye-received': 'terminated' },
  // RFC 3261 §9.1: after CANCEL the INVITE still ends with 487 — or with a 2xx that raced it, which
  // the B2BUA must ACK and then BYE (the leg passes through confirmed to terminated)
  cancelling: { 'trying-1xx': 'cancelling', 'ringing-1xx': 'cancelling', 'answer-2xx': 'confirmed', 'reject-final': 'terminated', timeout: 'terminated', cancel: 'cancelling' },
  // RFC 3261 §13.2.2.4: 2xx retransmissions re-ACKed; the dialog ends with BYE either way
  confirmed: { 'answer-2xx': 'confirmed', 'bye-sent': 'terminated', 'bye-received': 'terminated', timeout: 'terminated', cancel: 'confirmed' },
  terminated: { 'answer-2xx': 'terminated', 'reject-final': 'terminated', 'bye-received': 'terminated', timeout: 'terminated', cancel: 'terminated', 'trying-1xx': 'terminated', 'ringing-1xx': 'terminated' },
};

/** What happens to the inbound (UAS) leg. */
export type InboundInput =
  | 'relay-1xx' // we sent an untagged provisional (100)
  | 'relay-18x' // we sent a tagged 18x
  | 'answer' // we sent 2xx
  | 'reject' // we sent 3xx-6xx (incl. 487 after CANCEL)
  | 'bye-sent'
  | 'bye-received';

export const INBOUND_TABLE: Readonly<Record<LegState, Partial<Record<InboundInput, LegState>>>> = {
  trying: { 'relay-1xx': 'proceeding', 'relay-18x': 'early', answer: 'confirmed', reject: 'terminated' },
  proceeding: { 'relay-1xx': 'proceeding', 'relay-18x': 'early', answer: 'confirmed', reject: 'terminated' },
  early: { 'relay-18x': 'early', answer: 'confirmed', reject: 'terminated' },
  cancelling: {},
  confirmed: { 'bye-sent': 'terminated', 'bye-received': 'terminated' },
  terminated: { 'bye-received': 'terminated' },
};

export class IllegalCallTransition extends Error {
  constructor(machine: string, state: LegState, input: string) {
    super(`${machine}: no transition from '${state}' on '${input}'`);
    this.name = 'IllegalCallTransition';
  }
}

/** Rule 1: the next state, or a throw. */
export function transitionOutbound(state: LegState, input: OutboundInput): LegState {
  const next = OUTBOUND_TABLE[state][input];
  if (next === undefined) throw new IllegalCallTransition('outbound leg', state, input);
  return next;
}

export function transitionInbound(state: LegState, input: InboundInput): LegState {
  const next = INBOUND_TABLE[state][input];
  if (next === undefined) throw new IllegalCallTransition('inbound leg', state, input);
  return next;
}

/** The RFC 4235 `<state>` a leg shows (cancelling still rings until the 487 lands). */
export function dialogStateOf(state: LegState): 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated' {
  return state === 'cancelling' ? 'early' : state;
}
