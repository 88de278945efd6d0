/**
 * BLF pickup of a ringing B2BUA call (blf-facts §1.3): an INVITE with RFC 3891 Replaces naming one
 * ringing fork, or to Cisco's `x-cisco-serviceuri-blfpickup-<DN>` (call-routing.ts Rule 1).
 *
 * Rule 1: RFC 3891 §3: a Replaces matching a confirmed dialog is refused with 486; one matching
 *         nothing (or an ended fork) with 481; a picker whose calling CSS does not reach the line
 *         with 403.
 * Rule 2: the picker gets 200 with the caller's offer; every fork ends (the named one `replaced`);
 *         the caller gets 200 with the picker's answer — from its INVITE, or from its ACK when the
 *         INVITE had no SDP (the caller then waits).
 * Rule 3: a blfpickup URI takes the first unanswered call to the line that still rings somewhere.
 */
import { createResponse, createUasDialog, generateTag, tagOf, type ServerTransaction } from '../../sip/index.js';
import type { Device } from '../../core/index.js';
import { callerAppearance, callerIdentity, cssReachesLine } from './call-routing.js';
import { parseReplaces, replacesMatches } from './replaces.js';
import { bodyHeaders, callIdOf, incomingKey, isAnswered, type BridgedLeg, type Call, type OutboundLeg } from './call-model.js';
import type { CallContext } from './call-context.js';

export class CallPickup {
  constructor(private readonly ctx: CallContext) {}

  /** Rule 1. */
  byReplaces(tx: ServerTransaction, picker: Device, text: string): void {
    const r = parseReplaces(text);
    if (r === null) return void tx.reply(400, 'Bad Replaces', { toTag: true });
    for (const call of this.ctx.calls.values()) {
      for (const f of call.forks) {
        if (!replacesMatches(r, { callId: callIdOf(f.invite), localTag: f.remoteTag, remoteTag: tagOf(f.invite.headers.get('from')) })) continue;
        // RFC 3891 §3: "If the Replaces header field matches a confirmed dialog, … early-only … MUST respond with a 486 Busy Here"
        if (isAnswered(call) || f.state === 'confirmed') return void tx.reply(486, 'Busy Here', { toTag: true });
        if (f.state === 'terminated' || call.ended) break;
        if (!cssReachesLine(this.ctx.deps.directory(), picker, call.target.line)) return void tx.reply(403, 'Pickup Not Allowed', { toTag: true });
        return this.pickUp(tx, picker, call, f);
      }
    }
    tx.reply(481, 'Call/Transaction Does Not Exist', { toTag: true });
  }

  /** Rule 3. */
  ofLine(tx: ServerTransaction, picker: Device, line: string): void {
    for (const call of this.ctx.calls.values()) {
      if (call.target.line !== line || isAnswered(call) || call.ended) continue;
      const ringing = call.forks.find((f) => f.state === 'early');
      if (ringing || call.localForks.some((l) => !l.done)) return this.pickUp(tx, picker, call, ringing);
    }
    tx.reply(481, 'No Call To Pick Up', { toTag: true });
  }

  /** Rule 2: the picker's ACK brought the answer the caller waits for. */
  answerAfterAck(call: Call, body: Buffer): void {
    const peer = call.pendingPickerAnswer!;
    call.pendingPickerAnswer = undefined;
    this.answerCaller(call, peer, body, [['Content-Type', 'application/sdp']]);
  }

  /** Rule 2. */
  private pickUp(tx: ServerTransaction, picker: Device, call: Call, matched: OutboundLeg | undefined): void {
    this.ctx.endForks(call, 'elsewhere', undefined, matched);
    const app = callerAppearance(picker, tx.request);
    const pickerIdentity = callerIdentity(this.ctx.deps.directory(), picker, app, tx.request);
    const offer = call.inbound.invite;
    const toPicker = createResponse(tx.request, 200, 'OK', {
      toTag: generateTag(), headers: [['Contact', `<${this.ctx.deps.contactFor(tx.flow)}>`], ...bodyHeaders(offer)], body: offer.body,
    });
    tx.respond(toPicker);
    const dialog = createUasDialog(tx.request, toPicker, tx.flow);
    if (dialog === null) return this.ctx.deps.logger.warn('pickup INVITE without Contact', { call: call.id });
    const peer: BridgedLeg = { role: 'picker', appearance: app, dialog, lineDialogId: `${call.id}:p`, local: pickerIdentity, remote: call.inbound.identity, held: false };
    if (tx.request.body.length > 0) return this.answerCaller(call, peer, tx.request.body, bodyHeaders(tx.request));
    call.pendingPickerAnswer = peer;
    this.ctx.dialogs.set(incomingKey(dialog), { call, side: 1 });
  }

  /** The caller's INVITE is answered with the picker's SDP (offer/answer passes through, call-model.ts Rule 2). */
  private answerCaller(call: Call, peer: BridgedLeg, body: Buffer, headers: Array<[string, string]>): void {
    const answer = createResponse(call.inbound.invite, 200, 'OK', {
      toTag: call.inbound.localTag, headers: [['Contact', `<${this.ctx.deps.contactFor(call.inbound.tx.flow)}>`], ...headers], body,
    });
    call.inbound.tx.respond(answer);
    const callerDialog = createUasDialog(call.inbound.invite, answer, call.inbound.tx.flow);
    if (callerDialog === null) return;
    this.ctx.bridge(call, callerDialog, peer);
    this.ctx.events.moveInbound(call, 'answer');
  }
}
