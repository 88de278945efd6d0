/**
 * The `Replaces` header (RFC 3891 §6.1): `call-id ;to-tag=… ;from-tag=… [;early-only]`, and the
 * match of a pickup INVITE against the dialogs BLF watchers were shown.
 *
 * Rule 1: match on call-id plus both tags, in either order (blf-facts §1.3: phones disagree on which
 *         side is "local"; Kazoo matches both orders).
 * Rule 2: RFC 3891 §3: "If the Replaces header field matches a confirmed dialog … and early-only
 *         is present … the UAS MUST respond with a 486 Busy Here"; no match → 481.
 */
import { parseParams } from '../../sip/index.js';

export interface ReplacesHeader {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
  readonly earlyOnly: boolean;
}

/** Parses one Replaces value; null when malformed (→ 400). */
export function parseReplaces(text: string): ReplacesHeader | null {
  const semi = text.indexOf(';');
  if (semi <= 0) return null;
  const callId = text.slice(0, semi).trim();
  const params = parseParams(text.slice(semi));
  if (callId.length === 0 || params === null) return null;
  const toTag = params.get('to-tag');
  const fromTag = params.get('from-tag');
  if (!toTag || !fromTag) return null;
  return { callId, toTag, fromTag, earlyOnly: params.has('early-only') };
}

/** The identifying triple of one dialog as we showed it (our leg toward the monitored phone). */
export interface DialogTriple {
  readonly callId: string;
  readonly localTag?: string;
  readonly remoteTag?: string;
}

/** Rule 1: call-id equal and the tag pair equal in either order. */
export function replacesMatches(r: ReplacesHeader, d: DialogTriple): boolean {
  if (r.callId !== d.callId || d.localTag === undefined || d.remoteTag === undefined) return false;
  return (r.toTag === d.localTag && r.fromTag === d.remoteTag) || (r.toTag === d.remoteTag && r.fromTag === d.localTag);
}
