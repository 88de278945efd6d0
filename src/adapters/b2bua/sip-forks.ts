/**
 * The SIP forks of a B2BUA call (RFC 3261 §13.2 as UAC): one INVITE per registered contact of a
 * callee device, or one to a trunk's destination (issue 6), carrying the caller's offer.
 *
 * Rule 1: provisional responses move the fork (a tagged 18x → early, relayed to the caller; the
 *         first fork's early SDP only); a final 3xx-6xx ends it and may fail the call.
 * Rule 2: the first 2xx wins (b2bua-calls.ts Rule 3): the caller gets 200 with the fork's SDP, the
 *         others are ended; a 2xx that lost (or raced a CANCEL) is ACKed and BYEd.
 * Rule 3: CANCEL waits for the first provisional (RFC 3261 §9.1 "SHOULD NOT be sent ... until a
 *         provisional response is received").
 * Rule 4: delayed offer: with no SDP in the caller's INVITE, the 2xx ACK waits for the caller's ACK.
 */
import {
  createAckFor2xx, createCancel, createRequest, createRequestInDialog, createResponse, createUacDialog, createUasDialog,
  generateCallId, generateTag, resolveTarget, tagOf,
  type ClientTransactionDelegate, type DialogState, type SipResponse,
} from '../../sip/index.js';
import type { AppearanceRef } from '../../core/index.js';
import { transitionOutbound, type OutboundInput } from './call-leg-fsm.js';
import type { TerminationEvent } from './call-dialogs.js';
import { bodyHeaders, isAnswered, type Call, type OutboundLeg, type TrunkLegTarget } from './call-model.js';
import type { CallContext } from './call-context.js';

export class SipForks {
  constructor(private readonly ctx: CallContext) {}

  fork(call: Call, app: AppearanceRef, binding: OutboundLeg['binding'], n: number, trunk?: TrunkLegTarget): void {
    const a = call.inbound.invite;
    const from = `${call.inbound.identity.display ? `"${call.inbound.identity.display.replace(/"/g, '')}" ` : ''}<${call.inbound.identity.uri}>;tag=${generateTag()}`;
    const mf = Math.max(0, Number(a.headers.get('max-forwards') ?? '70') - 1);
    const headers: Array<[string, string]> = [
      ['From', from], ['To', `<${call.calleeIdentity.uri}>`], ['Call-ID', generateCallId()], ['CSeq', '1 INVITE'],
      ['Max-Forwards', String(mf)], ['Contact', `<${trunk?.contact ?? this.ctx.deps.contactFor(binding!.flow)}>`],
      ['Allow', 'INVITE, ACK, CANCEL, BYE, UPDATE, INFO, OPTIONS'], ...bodyHeaders(a),
    ];
    const invite = createRequest({ method: 'INVITE', uri: trunk?.requestUri ?? binding!.contact, headers, body: a.body });
    const leg: OutboundLeg = { n, appearance: app, ...(binding ? { binding } : {}), ...(trunk ? { trunk } : {}), invite, state: 'trying', shown: false, cancelPending: false };
    call.forks.push(leg);
    const delegate: ClientTransactionDelegate = {
      onResponse: (res) => this.response(call, leg, res),
      onTimeout: () => this.failed(call, leg, 'timeout', 408),
      onTransportError: () => this.failed(call, leg, 'error', 503),
    };
    leg.tx = this.ctx.send(invite, binding?.flow, delegate, trunk?.destination);
  }

  /** A tagged 18x to the caller; `early` carries early media (Rule 1). */
  relayRinging(call: Call, status: number, reason: string | undefined, early?: SipResponse): void {
    const withSdp = early !== undefined && early.body.length > 0 && !call.earlySdpSent;
    if (withSdp) call.earlySdpSent = true;
    const out = createResponse(call.inbound.invite, status, reason, {
      toTag: call.inbound.localTag,
      headers: [['Contact', `<${this.ctx.deps.contactFor(call.inbound.tx.flow)}>`], ...(withSdp ? bodyHeaders(early) : [])],
      ...(withSdp ? { body: early.body } : {}),
    });
    call.inbound.tx.respond(out);
    this.ctx.events.moveInbound(call, 'relay-18x');
  }

  /** Rule 3: ends a fork before its answer; `reasonHeader` goes on the CANCEL. */
  cancel(leg: OutboundLeg, reason: TerminationEvent, reasonHeader?: string): void {
    if (leg.state === 'terminated' || leg.state === 'confirmed' || leg.state === 'cancelling') return;
    leg.cancelReason = reason;
    if (leg.state === 'trying') {
      leg.cancelPending = true;
      return;
    }
    this.sendCancel(leg, reasonHeader);
  }

  /** Rule 4: the caller's ACK brought the answer for the winning fork. */
  ack(leg: OutboundLeg, dialog: DialogState, body: Buffer): void {
    const ack = createAckFor2xx(dialog, leg.invite, { body, headers: body.length > 0 ? [['Content-Type', 'application/sdp']] : [] });
    this.ctx.deps.stack.sendStateless(ack, dialog.flow ?? resolveTarget(ack)).catch((err: unknown) => this.ctx.deps.logger.warn('ACK send failed', { err: String(err) }));
  }

  private response(call: Call, leg: OutboundLeg, res: SipResponse): void {
    const s = res.status;
    const tag = tagOf(res.headers.get('to'));
    if (tag && !leg.remoteTag) leg.remoteTag = tag;
    if (s < 200) {
      const input: OutboundInput = s > 100 && tag ? 'ringing-1xx' : 'trying-1xx';
      this.ctx.events.moveFork(call, leg, input);
      if (leg.cancelPending) this.sendCancel(leg);
      if (input === 'ringing-1xx' && leg.state === 'early' && !isAnswered(call) && !call.ended) this.relayRinging(call, res.status, res.reason, res);
      else if (input === 'trying-1xx' && call.inbound.state === 'trying') this.ctx.events.moveInbound(call, 'relay-1xx');
      return;
    }
    leg.lastStatus = s;
    if (s < 300) return this.answered(call, leg, res);
    const event: TerminationEvent = leg.cancelReason ?? (s === 487 ? 'cancelled' : 'rejected');
    this.ctx.events.endFork(call, leg, 'reject-final', event);
    this.ctx.maybeFailCall(call);
  }

  private failed(call: Call, leg: OutboundLeg, event: TerminationEvent, status: number): void {
    leg.lastStatus = leg.lastStatus ?? status;
    if (leg.state === 'confirmed' && call.bridge) return this.ctx.hangUp(call, 1);
    this.ctx.events.endFork(call, leg, 'timeout', leg.cancelReason ?? event);
    this.ctx.maybeFailCall(call);
  }

  /** Rule 2. */
  private answered(call: Call, leg: OutboundLeg, res: SipResponse): void {
    const wasConfirmed = leg.state === 'confirmed';
    this.ctx.events.moveFork(call, leg, 'answer-2xx');
    const dialog = leg.dialog ?? createUacDialog(leg.invite, res, leg.tx?.flow ?? leg.binding?.flow);
    if (dialog === null) return this.ctx.deps.logger.warn('2xx without usable Contact/To-tag', { call: call.id });
    leg.dialog = dialog;
    if (wasConfirmed) return this.ack(leg, dialog, Buffer.alloc(0)); // retransmitted 2xx
    if (isAnswered(call) || call.ended || call.inbound.state === 'terminated') return this.lost(call, leg, dialog);
    if (call.inbound.invite.body.length > 0) this.ack(leg, dialog, Buffer.alloc(0));
    else call.pendingAck = { leg, invite: leg.invite };
    this.ctx.endForks(call, 'elsewhere', leg);
    const answer = createResponse(call.inbound.invite, 200, 'OK', {
      toTag: call.inbound.localTag,
      headers: [['Contact', `<${this.ctx.deps.contactFor(call.inbound.tx.flow)}>`], ...bodyHeaders(res)],
      body: res.body,
    });
    call.inbound.tx.respond(answer);
    const callerDialog = createUasDialog(call.inbound.invite, answer, call.inbound.tx.flow);
    if (callerDialog === null) return this.ctx.deps.logger.warn('caller INVITE without Contact', { call: call.id });
    this.ctx.bridge(call, callerDialog, {
      role: leg.trunk ? 'trunk' : 'callee', appearance: leg.appearance, dialog, lineDialogId: `${call.id}:b${leg.n}`,
      local: call.calleeIdentity, remote: call.inbound.identity, held: false,
    });
    this.ctx.events.moveInbound(call, 'answer');
  }

  /** Rule 2: a 2xx that came too late is ACKed and BYEd. */
  private lost(call: Call, leg: OutboundLeg, dialog: DialogState): void {
    this.ack(leg, dialog, Buffer.alloc(0));
    this.ctx.send(createRequestInDialog(dialog, 'BYE'), dialog.flow);
    this.ctx.events.endFork(call, leg, 'bye-sent', leg.cancelReason ?? 'cancelled');
  }

  private sendCancel(leg: OutboundLeg, reasonHeader?: string): void {
    leg.cancelPending = false;
    if (leg.state === 'terminated' || leg.state === 'confirmed' || leg.state === 'cancelling') return;
    const cancel = createCancel(leg.tx?.request ?? leg.invite);
    if (reasonHeader) cancel.headers.append('Reason', reasonHeader);
    this.ctx.send(cancel, leg.tx?.flow ?? leg.binding?.flow, {}, leg.trunk?.destination);
    leg.state = transitionOutbound(leg.state, 'cancel');
  }
}
