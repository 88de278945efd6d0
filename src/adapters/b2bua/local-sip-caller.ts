/**
 * The SIP caller's side of a call to a line served by a local (SCCP) endpoint: our UAS leg toward
 * the SIP phone that sent the INVITE (RFC 3261 §13.3), driven by what the local legs report
 * (`CallLegListener`, core/ports/local-endpoint.ts).
 *
 * Rule 1: alerting → 180 with our To-tag; answer → 200 with the local side's SDP; failure → the
 *         status it reported; CANCEL → 487 (RFC 3261 §9.2).
 * Rule 2: the caller's appearance moves through the inbound leg FSM and emits one CallEvent per
 *         change (initiator), with the same ids and tags B2buaCalls uses (call-dialogs.ts Rule 1).
 */
import { createRequestInDialog, createResponse, createUasDialog, resolveTarget, tagOf, type DialogState, type ServerTransaction } from '../../sip/index.js';
import type { AppearanceRef, CallLegControl, CallLegListener, Identity } from '../../core/index.js';
import { transitionInbound, dialogStateOf, type InboundInput, type LegState } from './call-leg-fsm.js';
import { callerEvent, type TerminationEvent } from './call-dialogs.js';
import type { LocalCallsDeps } from './local-endpoint-calls.js';

export class LocalSipCaller implements CallLegListener {
  state: LegState = 'trying';
  dialog?: DialogState;
  /** the far (local) side; set once the forks started */
  control?: CallLegControl;
  /** the answer we sent (re-INVITEs are answered with it) */
  answerSdp = '';
  private readonly localTag: string;

  constructor(
    private readonly deps: LocalCallsDeps,
    private readonly tx: ServerTransaction,
    private readonly id: string,
    private readonly appearance: AppearanceRef,
    private readonly identity: Identity,
    private readonly callee: Identity,
    localTag: string,
    /** told when the SIP dialog exists / is over, so in-dialog requests reach us */
    private readonly dialogs: { add(d: DialogState, leg: LocalSipCaller): void; remove(d: DialogState): void },
  ) {
    this.localTag = localTag;
    tx.delegate = { onCancel: () => this.cancelled(), onTerminated: () => undefined };
    tx.reply(100, 'Trying');
    this.emit();
  }

  onAlerting(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.tx.respond(createResponse(this.tx.request, 180, 'Ringing', { toTag: this.localTag, headers: [['Contact', `<${this.deps.contactFor(this.tx.flow)}>`]] }));
    this.move('relay-18x');
  }

  onAnswered(sdp: string): void {
    if (this.state === 'confirmed' || this.state === 'terminated') return;
    this.answerSdp = sdp;
    const answer = createResponse(this.tx.request, 200, 'OK', {
      toTag: this.localTag,
      headers: [['Contact', `<${this.deps.contactFor(this.tx.flow)}>`], ...(sdp ? [['Content-Type', 'application/sdp'] as [string, string]] : [])],
      body: sdp,
    });
    this.tx.respond(answer);
    const dialog = createUasDialog(this.tx.request, answer, this.tx.flow);
    if (dialog === null) this.deps.logger.warn('caller INVITE without Contact', { call: this.id });
    else {
      this.dialog = dialog;
      this.dialogs.add(dialog, this);
    }
    this.move('answer');
  }

  onFailed(status: number, reason: string): void {
    if (this.state === 'confirmed' || this.state === 'terminated') return;
    this.tx.reply(status, reason, { toTag: this.localTag });
    this.move('reject', status === 487 ? 'cancelled' : 'rejected');
  }

  onHungUp(): void {
    if (this.state !== 'confirmed' || !this.dialog) return;
    const bye = createRequestInDialog(this.dialog, 'BYE');
    try {
      const flow = this.dialog.flow;
      if (flow && this.deps.stack.transport.isFlowAlive(flow)) this.deps.stack.sendRequest(bye, { flow, delegate: {} });
      else this.deps.stack.sendRequest(bye, { destination: resolveTarget(bye), delegate: {} });
    } catch (err) {
      this.deps.logger.warn('BYE send failed', { err: String(err) });
    }
    this.dialogs.remove(this.dialog);
    this.move('bye-sent', 'remote-bye');
  }

  /** The SIP caller sent BYE in our dialog (already answered 200). */
  byeReceived(): void {
    if (this.state !== 'confirmed') return;
    if (this.dialog) this.dialogs.remove(this.dialog);
    this.move('bye-received', 'local-bye');
    this.control?.end('hung-up');
  }

  /** Shutdown: BYE an answered caller, 503 one still waiting. */
  close(): void {
    if (this.state === 'confirmed') this.onHungUp();
    else if (this.state !== 'terminated') this.onFailed(503, 'Service Unavailable');
  }

  private cancelled(): void {
    if (this.state === 'confirmed' || this.state === 'terminated') return;
    this.tx.reply(487, 'Request Terminated', { toTag: this.localTag });
    this.move('reject', 'cancelled');
    this.control?.end('cancelled');
  }

  private move(input: InboundInput, event?: TerminationEvent): void {
    const before = this.state;
    this.state = transitionInbound(before, input);
    if (this.state !== before) this.emit(event);
  }

  private emit(event?: TerminationEvent): void {
    const state = dialogStateOf(this.state);
    this.deps.submit(callerEvent(this.appearance, {
      id: `${this.id}:a`, callId: this.tx.request.headers.get('call-id') ?? '', state,
      localTag: tagOf(this.tx.request.headers.get('from')), remoteTag: this.localTag,
      ...(event && state === 'terminated' ? { terminationEvent: event } : {}),
      local: this.identity, remote: this.callee,
    }));
  }
}
