/**
 * The local (SCCP) forks of a SIP caller's call to a shared line: one `LocalEndpointPort.ring` per
 * local appearance, side by side with the SIP forks (b2bua-calls.ts Rule 5; issue 4 shared line,
 * issue 5), and the call once a local leg answered it.
 *
 * Rule 1: the offer is the caller's INVITE: its Call-ID, identities and SDP (local-endpoint.ts Rule 1).
 * Rule 2: the local adapter emits the CallEvents of its appearances (local-endpoint.ts Rule 2); here
 *         only the caller's appearance moves.
 * Rule 3: a leg we end is over at once (`done`): the port reports nothing more for it.
 * Rule 4: the first answer wins, local or SIP: the SIP forks are CANCELled with RFC 3326 Reason,
 *         the other local legs end `answered-elsewhere`.
 * Rule 5: in the answered call, the caller's BYE ends the local leg, the local hang-up BYEs the
 *         caller, a re-INVITE is answered with the local SDP again (no media anchoring; hold shown).
 */
import { createRequestInDialog, createResponse, createUasDialog, type ServerTransaction } from '../../sip/index.js';
import type { AppearanceRef, LegEndReason, LocalCallOffer, LocalEndpointPort } from '../../core/index.js';
import { transitionInbound } from './call-leg-fsm.js';
import type { TerminationEvent } from './call-dialogs.js';
import { incomingKey, isAnswered, isHoldSdp, sdpHeaders, type BridgedLeg, type Call, type LocalLeg } from './call-model.js';
import type { CallContext } from './call-context.js';
import { rejectStaleCSeq } from './call-bridge.js';

export class LocalForks {
  constructor(private readonly ctx: CallContext) {}

  /** Rings one appearance; a refusal (busy) is a failed leg with 486. */
  ring(port: LocalEndpointPort, call: Call, appearance: AppearanceRef): void {
    const leg: LocalLeg = { appearance, done: false };
    call.localForks.push(leg);
    const control = port.ring(appearance, offerOf(call), {
      onAlerting: () => this.alerting(call),
      onAnswered: (sdp) => this.answered(call, leg, sdp),
      onFailed: (status) => this.fail(call, leg, status),
      onHungUp: () => this.hungUp(call, leg),
    });
    if (control) leg.control = control;
    else this.fail(call, leg, 486);
  }

  /** Rule 3: ends every local leg still on (but `except`). */
  endAll(call: Call, reason: LegEndReason, except?: LocalLeg): void {
    for (const leg of call.localForks) if (leg !== except) endLocalLeg(leg, reason);
  }

  /** Rule 5: an in-dialog request from a caller talking to a local leg. */
  inDialog(tx: ServerTransaction, call: Call): void {
    const answered = call.localAnswer!;
    if (rejectStaleCSeq(tx, answered.caller)) return;
    const req = tx.request;
    if (req.method === 'BYE') {
      tx.reply(200, 'OK');
      endLocalLeg(answered.leg, 'hung-up');
      return this.endAnswered(call, 'bye-received', 'local-bye');
    }
    const sdp = req.method === 'INVITE' ? answered.sdp : '';
    if (req.method === 'INVITE' && req.body.length > 0) {
      answered.caller.held = isHoldSdp(req.body);
      this.ctx.events.emitLeg(call, answered.caller, 'confirmed');
    }
    tx.respond(createResponse(req, 200, 'OK', { headers: [['Contact', `<${this.ctx.deps.contactFor(tx.flow)}>`], ...sdpHeaders(sdp)], body: sdp }));
  }

  private alerting(call: Call): void {
    if (isAnswered(call) || call.ended || call.inbound.state === 'terminated') return;
    this.ctx.relayRinging(call, 180, 'Ringing');
  }

  /** Rule 4. */
  private answered(call: Call, leg: LocalLeg, sdp: string): void {
    if (isAnswered(call) || call.ended || call.inbound.state === 'terminated') return endLocalLeg(leg, 'answered-elsewhere');
    this.ctx.endForks(call, 'elsewhere', leg);
    const answer = createResponse(call.inbound.invite, 200, 'OK', {
      toTag: call.inbound.localTag, headers: [['Contact', `<${this.ctx.deps.contactFor(call.inbound.tx.flow)}>`], ...sdpHeaders(sdp)], body: sdp,
    });
    call.inbound.tx.respond(answer);
    const dialog = createUasDialog(call.inbound.invite, answer, call.inbound.tx.flow);
    if (dialog === null) return this.ctx.deps.logger.warn('caller INVITE without Contact', { call: call.id });
    const caller: BridgedLeg = {
      role: 'caller', appearance: call.inbound.appearance, dialog, lineDialogId: `${call.id}:a`,
      local: call.inbound.identity, remote: call.calleeIdentity, held: false,
    };
    call.localAnswer = { leg, caller, sdp };
    this.ctx.dialogs.set(incomingKey(dialog), { call, side: 0 });
    this.ctx.events.moveInbound(call, 'answer');
  }

  private fail(call: Call, leg: LocalLeg, status: number): void {
    if (leg.done) return;
    leg.done = true;
    leg.lastStatus = status;
    this.ctx.maybeFailCall(call);
  }

  /** Rule 5: the local side hung up after answering: BYE the caller. */
  private hungUp(call: Call, leg: LocalLeg): void {
    leg.done = true;
    const answered = call.localAnswer;
    if (!answered || answered.leg !== leg) return;
    this.ctx.send(createRequestInDialog(answered.caller.dialog, 'BYE'), answered.caller.dialog.flow);
    this.endAnswered(call, 'bye-sent', 'remote-bye');
  }

  private endAnswered(call: Call, input: 'bye-sent' | 'bye-received', event: TerminationEvent): void {
    this.ctx.events.emitLeg(call, call.localAnswer!.caller, 'terminated', event);
    if (call.inbound.state === 'confirmed') call.inbound.state = transitionInbound(call.inbound.state, input);
    this.ctx.finish(call);
  }
}

/** Ends one local leg (Rule 3). */
export function endLocalLeg(leg: LocalLeg, reason: LegEndReason): void {
  if (leg.done) return;
  leg.done = true;
  leg.control?.end(reason);
}

function offerOf(call: Call): LocalCallOffer {
  const invite = call.inbound.invite;
  return {
    callId: invite.headers.get('call-id') ?? call.id, caller: call.inbound.identity, callee: call.calleeIdentity,
    sdp: invite.body.toString('utf8'),
  };
}
