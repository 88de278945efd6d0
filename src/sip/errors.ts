/**
 * Named errors of the SIP layer (style.md §7).
 *
 * Rule 1: peer errors are values (`SipParseError`, a `RemoteError` with `statusHint`); they are
 *         returned, never thrown upward, and the caller answers with `status` when it can.
 * Rule 2: our bugs throw (`IllegalTransitionError`, `SipUsageError`); tests must fail loudly.
 */

/** A peer sent something we cannot accept; answer with `status` (style.md `RemoteError`). */
export interface RemoteError {
  readonly kind: 'remote-error';
  /** SIP status to answer with (400, 416, 481, 505, 513 …). */
  readonly statusHint: number;
  readonly reason: string;
}

/** Thrown when a transaction FSM is asked for a move its table does not allow (a bug). */
export class IllegalTransitionError extends Error {
  constructor(
    readonly machine: string,
    readonly state: string,
    readonly event: string,
  ) {
    super(`${machine}: illegal transition from '${state}' on '${event}'`);
    this.name = 'IllegalTransitionError';
  }
}

/** Thrown when our own code uses the SIP API wrongly (e.g. serializing a message with no Call-ID). */
export class SipUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SipUsageError';
  }
}

/** Transport failure reported to a transaction / TU (never thrown across the TU boundary). */
export interface TransportFailure {
  readonly kind: 'transport-error';
  readonly reason: string;
}
