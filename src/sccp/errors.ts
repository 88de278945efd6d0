/**
 * Named errors of the Skinny layer (style.md §7).
 *
 * Peer errors are values, never exceptions: a hostile or broken phone yields an `SccpRemoteError`
 * that the server logs and then either ignores (frame-level) or answers by closing the connection
 * (`fatal`: the byte stream can no longer be framed). Our own bugs (encoding a value that does not fit
 * its field) throw `SccpEncodeError`.
 */

/** What went wrong with bytes received from a peer. */
export type SccpRemoteErrorCode =
  | 'length-too-small' // data_length < 4: not even a message id (fatal)
  | 'length-negative' // data_length has the sign bit set (fatal)
  | 'length-too-large' // data_length + 8 > max PDU (fatal)
  | 'truncated-payload' // a known message shorter than its layout requires (frame ignored)
  | 'malformed-payload'; // a known message whose content is inconsistent, e.g. a count past the end

/** A peer protocol error (h11 `RemoteProtocolError` style); `fatal` means close the connection. */
export interface SccpRemoteError {
  readonly kind: 'SccpRemoteError';
  readonly code: SccpRemoteErrorCode;
  readonly fatal: boolean;
  readonly detail: string;
  /** Message id, when the header could be read. */
  readonly messageId?: number;
}

/** Builds an `SccpRemoteError` value. */
export function remoteError(
  code: SccpRemoteErrorCode,
  detail: string,
  messageId?: number,
): SccpRemoteError {
  const fatal = code === 'length-too-small' || code === 'length-negative' || code === 'length-too-large';
  return messageId === undefined
    ? { kind: 'SccpRemoteError', code, fatal, detail }
    : { kind: 'SccpRemoteError', code, fatal, detail, messageId };
}

/** Thrown when we try to encode a value that does not fit its wire field: a bug on our side. */
export class SccpEncodeError extends Error {
  override readonly name = 'SccpEncodeError';
}

/** Thrown by the device FSM on a transition its table does not allow: a bug on our side. */
export class SccpStateError extends Error {
  override readonly name = 'SccpStateError';
}
