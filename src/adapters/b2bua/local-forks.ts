/**
 * The local (SCCP) forks of a SIP caller's call to a shared line: one `LocalEndpointPort.ring` per
 * local appearance, side by side with the SIP forks B2buaCalls sends (issue 4 shared line, issue 5).
 *
 * Rule 1: the offer is the caller's INVITE: its Call-ID, identities and SDP (local-endpoint.ts Rule 1).
 * Rule 2: the local adapter emits the CallEvents of its appearances (local-endpoint.ts Rule 2); this
 *         file only reports alerting / answer / failure / hang-up to the owning call.
 * Rule 3: a leg we end is over at once (`done`): the port reports nothing more for it.
 */
import type { AppearanceRef, LegEndReason, LocalCallOffer, LocalEndpointPort } from '../../core/index.js';
import type { Call, LocalLeg } from './call-model.js';

/** What the owning call hears from its local legs. */
export interface LocalForkOwner {
  alerting(call: Call): void;
  answered(call: Call, leg: LocalLeg, sdp: string): void;
  failed(call: Call): void;
  hungUp(call: Call, leg: LocalLeg): void;
}

export class LocalForks {
  constructor(private readonly owner: LocalForkOwner) {}

  /** Rings one appearance; a refusal (busy) is a failed leg with 486. */
  ring(port: LocalEndpointPort, call: Call, appearance: AppearanceRef): void {
    const leg: LocalLeg = { appearance, done: false };
    call.localForks.push(leg);
    const control = port.ring(appearance, offerOf(call), {
      onAlerting: () => this.owner.alerting(call),
      onAnswered: (sdp) => this.owner.answered(call, leg, sdp),
      onFailed: (status) => this.fail(call, leg, status),
      onHungUp: () => {
        leg.done = true;
        this.owner.hungUp(call, leg);
      },
    });
    if (control) leg.control = control;
    else this.fail(call, leg, 486);
  }

  /** Rule 3: ends every local leg still on (but `except`). */
  endAll(call: Call, reason: LegEndReason, except?: LocalLeg): void {
    for (const leg of call.localForks) if (leg !== except) endLocalLeg(leg, reason);
  }

  private fail(call: Call, leg: LocalLeg, status: number): void {
    if (leg.done) return;
    leg.done = true;
    leg.lastStatus = status;
    this.owner.failed(call);
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
