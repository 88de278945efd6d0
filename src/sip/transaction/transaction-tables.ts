/**
 * RFC 3261 §17 transaction state machines, with RFC 6026 §7 (Accepted state for INVITE), written
 * as data: state × event → next state + action name. `transition()` throws on a move the table
 * does not list — that is a bug in our code, not a peer error (peer retransmissions are rows).
 *
 * Theory: the transaction object runs `transition()` then calls the action by name; timers are
 * started/stopped by actions, never by the table. 'terminated' has no rows.
 */
import { IllegalTransitionError } from '../errors.js';

export interface Row<S extends string, A extends string> {
  next: S;
  action: A;
}
export type Table<S extends string, E extends string, A extends string> = { readonly [s in S]: { readonly [e in E]?: Row<S, A> } };

export function transition<S extends string, E extends string, A extends string>(
  machine: string, table: Table<S, E, A>, state: S, event: E,
): Row<S, A> {
  const row = table[state][event];
  if (row === undefined) throw new IllegalTransitionError(machine, state, event);
  return row;
}

/* ---------------- non-INVITE client (RFC 3261 §17.1.2.2, Figure 6) ---------------- */
export type NictState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type NictEvent = 'provisional' | 'final' | 'timerE' | 'timerF' | 'timerK' | 'transportError';
export type NictAction = 'passProvisional' | 'passFinal' | 'retransmit' | 'timeout' | 'absorb' | 'destroy' | 'reportTransportError';
export const NICT_TABLE: Table<NictState, NictEvent, NictAction> = {
  trying: {
    // "If Timer E fires while still in this state, the timer is reset, but this time with a value of MIN(2*T1, T2)"
    timerE: { next: 'trying', action: 'retransmit' },
    // "If Timer F fires while the client transaction is still in the "Trying" state, the client transaction SHOULD inform the TU about the timeout"
    timerF: { next: 'terminated', action: 'timeout' },
    provisional: { next: 'proceeding', action: 'passProvisional' },
    final: { next: 'completed', action: 'passFinal' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  proceeding: {
    // "If Timer E fires while in the "Proceeding" state, the request MUST be passed to the transport layer for retransmission, and Timer E MUST be reset with a value of T2 seconds"
    timerE: { next: 'proceeding', action: 'retransmit' },
    timerF: { next: 'terminated', action: 'timeout' },
    provisional: { next: 'proceeding', action: 'passProvisional' },
    final: { next: 'completed', action: 'passFinal' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  completed: {
    // "The client transaction MUST ... buffer any additional response retransmissions that may be received"
    provisional: { next: 'completed', action: 'absorb' },
    final: { next: 'completed', action: 'absorb' },
    timerK: { next: 'terminated', action: 'destroy' },
  },
  terminated: {},
};

/* ---------------- INVITE client (RFC 3261 §17.1.1.2, Figure 5; RFC 6026 §7.2) ---------------- */
export type IctState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';
export type IctEvent = 'provisional' | 'success' | 'failure' | 'timerA' | 'timerB' | 'timerD' | 'timerM' | 'transportError';
export type IctAction = 'passProvisional' | 'passSuccess' | 'passFailureAndAck' | 'resendAck' | 'retransmit' | 'timeout' | 'absorb' | 'destroy' | 'reportTransportError';
export const ICT_TABLE: Table<IctState, IctEvent, IctAction> = {
  calling: {
    // "When timer A fires, the client transaction MUST retransmit the request … and reset the timer with a value of 2*T1"
    timerA: { next: 'calling', action: 'retransmit' },
    // "If the client transaction is still in the "Calling" state when timer B fires, the client transaction SHOULD inform the TU that a timeout has occurred"
    timerB: { next: 'terminated', action: 'timeout' },
    provisional: { next: 'proceeding', action: 'passProvisional' },
    // RFC 6026 §7.2: "If a 2xx response is received while the client INVITE state machine is in the "Calling" or "Proceeding" states, it MUST transition to the "Accepted" state"
    success: { next: 'accepted', action: 'passSuccess' },
    // "When in either the "Calling" or "Proceeding" states, reception of a response with status code from 300-699 MUST cause the client transaction to transition to "Completed" … generate an ACK request"
    failure: { next: 'completed', action: 'passFailureAndAck' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  proceeding: {
    provisional: { next: 'proceeding', action: 'passProvisional' },
    success: { next: 'accepted', action: 'passSuccess' },
    failure: { next: 'completed', action: 'passFailureAndAck' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  completed: {
    // "Any retransmissions of the final response that are received while in the "Completed" state MUST cause the ACK to be re-passed to the transport layer"
    failure: { next: 'completed', action: 'resendAck' },
    provisional: { next: 'completed', action: 'absorb' },
    success: { next: 'completed', action: 'absorb' },
    timerD: { next: 'terminated', action: 'destroy' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  accepted: {
    // RFC 6026 §7.2: "any 2xx responses that match this client transaction … MUST be passed up to the TU"
    success: { next: 'accepted', action: 'passSuccess' },
    provisional: { next: 'accepted', action: 'absorb' },
    failure: { next: 'accepted', action: 'absorb' },
    // RFC 6026 §7.2: "If Timer M fires … the client transaction MUST move to the "Terminated" state"
    timerM: { next: 'terminated', action: 'destroy' },
  },
  terminated: {},
};

/* ---------------- non-INVITE server (RFC 3261 §17.2.2, Figure 8) ---------------- */
export type NistState = 'trying' | 'proceeding' | 'completed' | 'terminated';
export type NistEvent = 'request' | 'tuProvisional' | 'tuFinal' | 'timerJ' | 'transportError';
export type NistAction = 'absorb' | 'sendResponse' | 'sendFinal' | 'resendLast' | 'destroy' | 'reportTransportError';
export const NIST_TABLE: Table<NistState, NistEvent, NistAction> = {
  trying: {
    // "Once in the "Trying" state, any further request retransmissions are discarded"
    request: { next: 'trying', action: 'absorb' },
    tuProvisional: { next: 'proceeding', action: 'sendResponse' },
    tuFinal: { next: 'completed', action: 'sendFinal' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  proceeding: {
    // "If a retransmission of the request is received while in the "Proceeding" state, the most recently sent provisional response MUST be passed to the transport layer for retransmission"
    request: { next: 'proceeding', action: 'resendLast' },
    tuProvisional: { next: 'proceeding', action: 'sendResponse' },
    tuFinal: { next: 'completed', action: 'sendFinal' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  completed: {
    // "While in the "Completed" state, the server transaction MUST pass the final response to the transport layer for retransmission whenever a retransmission of the request is received"
    request: { next: 'completed', action: 'resendLast' },
    timerJ: { next: 'terminated', action: 'destroy' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  terminated: {},
};

/* ---------------- INVITE server (RFC 3261 §17.2.1, Figure 7; RFC 6026 §7.1) ---------------- */
export type IstState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';
export type IstEvent =
  | 'request' | 'ack' | 'tuProvisional' | 'tuSuccess' | 'tuFailure' | 'timer100'
  | 'timerG' | 'timerH' | 'timerI' | 'timerL' | 'retransmit2xx' | 'transportError';
export type IstAction =
  | 'absorb' | 'resendLast' | 'sendResponse' | 'sendSuccess' | 'sendFailure' | 'sendTrying' | 'retransmitFinal'
  | 'ackTimeout' | 'confirm' | 'passAck' | 'destroy' | 'reportTransportError';
export const IST_TABLE: Table<IstState, IstEvent, IstAction> = {
  proceeding: {
    // "If a request retransmission is received while in the "Proceeding" state, the most recent provisional response … MUST be passed to the transport layer"
    request: { next: 'proceeding', action: 'resendLast' },
    // "If there is no TU response within 200ms, the server transaction MUST send a 100 (Trying)" (§17.2.1 wording: unless the TU answers within 200 ms)
    timer100: { next: 'proceeding', action: 'sendTrying' },
    tuProvisional: { next: 'proceeding', action: 'sendResponse' },
    // RFC 6026 §7.1: "If, while in the "Proceeding" state, the TU passes a 2xx response … the server transaction MUST … transition to the "Accepted" state"
    tuSuccess: { next: 'accepted', action: 'sendSuccess' },
    // "While in the "Proceeding" state, if the TU passes a response with status code from 300 to 699 … the state machine MUST enter the "Completed" state"
    tuFailure: { next: 'completed', action: 'sendFailure' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  completed: {
    request: { next: 'completed', action: 'resendLast' },
    // "If timer G fires, the response is passed to the transport layer once more for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds"
    timerG: { next: 'completed', action: 'retransmitFinal' },
    // "If timer H fires while in the "Completed" state … the server transaction MUST transition to the "Terminated" state, and MUST indicate to the TU that a transaction failure has occurred"
    timerH: { next: 'terminated', action: 'ackTimeout' },
    // "If an ACK is received while the server transaction is in the "Completed" state, the server transaction MUST transition to the "Confirmed" state"
    ack: { next: 'confirmed', action: 'confirm' },
    transportError: { next: 'terminated', action: 'reportTransportError' },
  },
  confirmed: {
    // "any additional ACK messages … are absorbed"
    ack: { next: 'confirmed', action: 'absorb' },
    request: { next: 'confirmed', action: 'absorb' },
    timerI: { next: 'terminated', action: 'destroy' },
  },
  accepted: {
    // RFC 6026 §7.1: "the server transaction MUST NOT … retransmit the 2xx; any retransmissions of the INVITE … are absorbed"
    request: { next: 'accepted', action: 'absorb' },
    // RFC 6026 §7.1: "the ACK … MUST be passed to the TU"
    ack: { next: 'accepted', action: 'passAck' },
    // RFC 6026 §7.1: "the TU MAY pass additional 2xx responses to the server transaction"
    tuSuccess: { next: 'accepted', action: 'sendSuccess' },
    // RFC 3261 §13.3.1.4 (UAS core, hosted here): "the 2xx response … MUST be retransmitted … starting at T1 and doubling … up to T2"
    retransmit2xx: { next: 'accepted', action: 'retransmitFinal' },
    // RFC 6026 §7.1: "If Timer L fires while in the "Accepted" state, the state machine MUST transition to the "Terminated" state"
    timerL: { next: 'terminated', action: 'destroy' },
    transportError: { next: 'accepted', action: 'absorb' },
  },
  terminated: {},
};
