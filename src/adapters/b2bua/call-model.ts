/**
 * The runtime shape of one B2BUA call: the caller's inbound leg, the outbound forks, and — once
 * answered or picked up — the peer leg it is bridged to. Plain data plus small pure helpers.
 *
 * Rule 1: after the answer a call is two `BridgedLeg`s; in-dialog requests arriving on one are
 *         relayed to the other (BYE, re-INVITE/hold, UPDATE, INFO), whatever role (UAS or UAC) we
 *         play on each.
 * Rule 2: SDP passes through untouched (no media anchoring); `isHoldSdp` only reads it for BLF.
 */
import type { AppearanceRef, CallLegControl, Identity, LineKey } from '../../core/index.js';
import type { ClientTransaction, Destination, DialogState, ServerTransaction, SipRequest } from '../../sip/index.js';
import type { Binding } from './registrar-bindings.js';
import type { LegState } from './call-leg-fsm.js';
import type { TerminationEvent } from './call-dialogs.js';

/** Either side of a bridged call. */
export interface BridgedLeg {
  /** `trunk`: the far side of a call routed out a trunk (issue 6); it has no line appearance here */
  readonly role: 'caller' | 'callee' | 'picker' | 'trunk';
  readonly appearance: AppearanceRef;
  /** our dialog with that phone (UAS dialog for caller/picker, UAC dialog for callee) */
  dialog: DialogState;
  /** dialog-info id on that appearance */
  readonly lineDialogId: string;
  /** the phone's identity and the other party's, for dialog-info */
  readonly local: Identity;
  remote: Identity;
  held: boolean;
}

export interface InboundLeg {
  readonly tx: ServerTransaction;
  readonly invite: SipRequest;
  readonly appearance: AppearanceRef;
  readonly device: string;
  /** our To-tag toward the caller */
  readonly localTag: string;
  readonly identity: Identity;
  state: LegState;
}

/** Where a leg out a trunk goes (issue 6): the trunk's destination instead of a registered contact. */
export interface TrunkLegTarget {
  readonly trunk: string;
  /** Request-URI and To of the outgoing INVITE */
  readonly requestUri: string;
  readonly destination: Destination;
  /** our Contact toward the trunk */
  readonly contact: string;
}

/** The appearance slot of a trunk leg: none (no device of ours; it emits no CallEvents). */
export const NO_APPEARANCE: AppearanceRef = { device: '', index: 0 };

export interface OutboundLeg {
  readonly n: number;
  readonly appearance: AppearanceRef;
  /** the registered contact rung (absent for a trunk leg) */
  readonly binding?: Binding;
  readonly trunk?: TrunkLegTarget;
  readonly invite: SipRequest;
  tx?: ClientTransaction;
  state: LegState;
  /** the phone's To-tag, once a response carried one */
  remoteTag?: string;
  dialog?: DialogState;
  /** shown on the callee's BLF already (call-dialogs Rule 2) */
  shown: boolean;
  /** why we cancelled it (reported when the 487 lands) */
  cancelReason?: TerminationEvent;
  /** CANCEL waits for the first provisional (RFC 3261 §9.1) */
  cancelPending: boolean;
  lastStatus?: number;
}

/** A fork to an appearance of a local (SCCP) device, rung through `LocalEndpointPort` (whose adapter emits its CallEvents). */
export interface LocalLeg {
  readonly appearance: AppearanceRef;
  control?: CallLegControl;
  /** over (failed, hung up or ended by us; local-endpoint.ts Rule 3) */
  done: boolean;
  lastStatus?: number;
}

/** A call a local leg answered: our UAS dialog with the caller and the SDP the local side answered with. */
export interface LocalAnswer {
  readonly leg: LocalLeg;
  readonly caller: BridgedLeg;
  readonly sdp: string;
}

export interface Call {
  readonly id: string;
  readonly target: { readonly line: LineKey; readonly dn: string };
  readonly calleeIdentity: Identity;
  readonly inbound: InboundLeg;
  readonly forks: OutboundLeg[];
  /** forks to local (SCCP) appearances of the line */
  readonly localForks: LocalLeg[];
  /** sent early SDP to the caller already (only the first fork's early media is relayed) */
  earlySdpSent: boolean;
  /** bridged legs once answered: [caller side, callee/picker side] */
  bridge?: [BridgedLeg, BridgedLeg];
  /** answered by a local leg instead (no SIP peer dialog) */
  localAnswer?: LocalAnswer;
  /** delayed offer: the 2xx ACK waits for the caller's ACK body */
  pendingAck?: { readonly leg: OutboundLeg; readonly invite: SipRequest };
  /** picker's 200 waits for its ACK before the caller gets 200 (picker sent no offer) */
  pendingPickerAnswer?: BridgedLeg;
  ended: boolean;
}

/** RFC 3326 Reason on the CANCEL of forks another fork beat (CUCM and RFC 3326 §2 example). */
export const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

/** RFC 3264 §8.4 hold: a=sendonly / a=inactive (or the RFC 2543 c=0.0.0.0). */
export function isHoldSdp(body: Buffer): boolean {
  if (body.length === 0) return false;
  const text = body.toString('utf8');
  return /^a=(sendonly|inactive)\s*$/m.test(text) || /^c=IN IP4 0\.0\.0\.0\s*$/m.test(text);
}

/** Content-Type for an SDP body given as text ('' = no body). */
export function sdpHeaders(sdp: string): Array<[string, string]> {
  return sdp ? [['Content-Type', 'application/sdp']] : [];
}

/** Headers to copy when relaying a body. */
export function bodyHeaders(msg: { headers: { get(n: string): string | undefined }; body: Buffer }): Array<[string, string]> {
  if (msg.body.length === 0) return [];
  return [['Content-Type', msg.headers.get('content-type') ?? 'application/sdp']];
}

/**
 * The status a caller hears when every fork failed (RFC 3261 §16.7 step 6 in spirit): a 6xx wins,
 * then 486 (a device was reached and was busy), else 480 when all were cancelled, else the first.
 */
export function finalStatusOf(statuses: readonly number[]): number {
  return statuses.find((s) => s >= 600) ?? statuses.find((s) => s === 486) ?? (statuses.every((s) => s === 487) ? 480 : statuses[0] ?? 480);
}

export function sameApp(a: AppearanceRef, b: AppearanceRef): boolean {
  return a.device === b.device && a.index === b.index;
}

export function callIdOf(req: SipRequest): string {
  return req.headers.get('call-id') ?? '';
}

/** The key `dialogIdOfIncoming` yields for requests the peer sends in this dialog. */
export function incomingKey(d: DialogState): string {
  return `${d.callId};${d.localTag};${d.remoteTag}`;
}

/** Answered already, by a SIP fork or picker (bridge) or by a local leg. */
export function isAnswered(call: Call): boolean {
  return call.bridge !== undefined || call.localAnswer !== undefined;
}
