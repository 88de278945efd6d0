/**
 * One SIP leg of a call placed by a local (SCCP) endpoint: an INVITE from the gateway to one
 * registered contact of a SIP device carrying the called line (RFC 3261 §13.2 as UAC; issue 5).
 *
 * Rule 1: the INVITE carries the local endpoint's SDP offer (local-endpoint.ts Rule 1); the 2xx is
 *         ACKed without a body (RFC 3264 offer in the INVITE, answer in the 2xx).
 * Rule 2: the callee appearance is moved through the leg FSM of call-leg-fsm.ts and shown from
 *         `early` on, exactly as B2buaCalls forks (call-dialogs.ts Rule 2).
 * Rule 3: CANCEL waits for the first provisional (RFC 3261 §9.1 "SHOULD NOT be sent ... until a
 *         provisional response is received"); a 2xx that raced it is ACKed and BYEd.
 */
import {
  createAckFor2xx, createCancel, createRequest, createRequestInDialog, createUacDialog, generateCallId, generateTag,
  resolveTarget, tagOf, type DialogState, type SipResponse,
} from '../../sip/index.js';
import type { AppearanceRef, Identity } from '../../core/index.js';
import { transitionOutbound, dialogStateOf, type LegState, type OutboundInput } from './call-leg-fsm.js';
import { calleeEvent, calleeVisible, type TerminationEvent } from './call-dialogs.js';
import { COMPLETED_ELSEWHERE } from './call-model.js';
import type { Binding } from './registrar-bindings.js';
import type { LocalCallsDeps } from './local-endpoint-calls.js';

/** What the owning call hears from this leg. */
export interface SipForkOwner {
  alerting(fork: LocalSipFork): void;
  answered(fork: LocalSipFork, sdp: string): void;
  failed(fork: LocalSipFork, status: number): void;
  hungUp(fork: LocalSipFork): void;
  /** the leg now has a dialog that in-dialog requests must reach */
  dialogCreated(fork: LocalSipFork, dialog: DialogState): void;
}

export class LocalSipFork {
  state: LegState = 'trying';
  dialog?: DialogState;
  private readonly invite;
  private remoteTag?: string;
  /** the state last shown on the callee's BLF (one event per visible change) */
  private lastShown?: ReturnType<typeof dialogStateOf>;
  private cancelPending = false;
  private cancelReason?: TerminationEvent;
  /** RFC 3326 Reason on the CANCEL when another fork answered */
  private completedElsewhere = false;
  private tx?: ReturnType<LocalCallsDeps['stack']['sendRequest']>;

  constructor(
    private readonly deps: LocalCallsDeps,
    private readonly owner: SipForkOwner,
    readonly lineDialogId: string,
    readonly appearance: AppearanceRef,
    private readonly binding: Binding,
    private readonly caller: Identity,
    private readonly callee: Identity,
    sdp: string,
  ) {
    const from = `${caller.display ? `"${caller.display.replace(/"/g, '')}" ` : ''}<${caller.uri}>;tag=${generateTag()}`;
    const headers: Array<[string, string]> = [
      ['From', from], ['To', `<${callee.uri}>`], ['Call-ID', generateCallId()], ['CSeq', '1 INVITE'], ['Max-Forwards', '70'],
      ['Contact', `<${deps.contactFor(binding.flow)}>`], ['Allow', 'INVITE, ACK, CANCEL, BYE, UPDATE, INFO, OPTIONS'],
      ...(sdp ? [['Content-Type', 'application/sdp'] as [string, string]] : []),
    ];
    this.invite = createRequest({ method: 'INVITE', uri: binding.contact, headers, body: sdp });
  }

  /** Sends the INVITE. */
  start(): void {
    try {
      const flow = this.binding.flow;
      const delegate = {
        onResponse: (res: SipResponse) => this.response(res),
        onTimeout: () => this.failed(408, 'timeout'),
        onTransportError: () => this.failed(503, 'error'),
      };
      this.tx = this.deps.stack.transport.isFlowAlive(flow)
        ? this.deps.stack.sendRequest(this.invite, { flow, delegate })
        : this.deps.stack.sendRequest(this.invite, { destination: resolveTarget(this.invite), delegate });
    } catch (err) {
      this.deps.logger.warn('cannot send INVITE to a SIP fork', { uri: this.invite.uri, err: String(err) });
      this.failed(503, 'error');
    }
  }

  /** Ends the leg from our side: CANCEL before the answer, BYE after it. */
  end(event: TerminationEvent, completedElsewhere = false): void {
    if (this.state === 'terminated' || this.state === 'cancelling') return;
    if (this.state === 'confirmed') {
      this.bye();
      this.move('bye-sent', 'remote-bye');
      return;
    }
    this.cancelReason = event;
    this.completedElsewhere = completedElsewhere;
    if (this.state === 'trying') this.cancelPending = true; // Rule 3
    else this.sendCancel();
  }

  /** The SIP phone sent BYE in our dialog. */
  byeReceived(): void {
    if (this.state !== 'confirmed') return;
    this.move('bye-received', 'local-bye');
    this.owner.hungUp(this);
  }

  private response(res: SipResponse): void {
    const tag = tagOf(res.headers.get('to'));
    if (tag && !this.remoteTag) this.remoteTag = tag;
    if (res.status < 200) {
      const ringing = res.status > 100 && tag !== undefined;
      this.move(ringing ? 'ringing-1xx' : 'trying-1xx');
      if (this.cancelPending) this.sendCancel();
      else if (ringing && this.state === 'early') this.owner.alerting(this);
      return;
    }
    if (res.status >= 300) return this.failed(res.status, this.cancelReason ?? (res.status === 487 ? 'cancelled' : 'rejected'));
    this.answered(res);
  }

  private answered(res: SipResponse): void {
    const retransmission = this.state === 'confirmed';
    const racedCancel = this.state === 'cancelling';
    const dialog = this.dialog ?? createUacDialog(this.invite, res, this.tx?.flow ?? this.binding.flow);
    if (dialog === null) return this.deps.logger.warn('2xx without usable Contact/To-tag', { callId: this.invite.headers.get('call-id') });
    this.dialog = dialog;
    this.ack(dialog);
    if (retransmission) return;
    if (racedCancel) {
      this.state = transitionOutbound(this.state, 'answer-2xx');
      this.bye();
      this.move('bye-sent', this.cancelReason ?? 'cancelled');
      return;
    }
    this.move('answer-2xx');
    this.owner.dialogCreated(this, dialog);
    this.owner.answered(this, res.body.toString('utf8'));
  }

  private failed(status: number, event: TerminationEvent): void {
    if (this.state === 'terminated') return;
    if (this.state === 'confirmed') {
      this.move('timeout', event);
      this.owner.hungUp(this);
      return;
    }
    this.move(status === 408 || status === 503 ? 'timeout' : 'reject-final', event);
    this.owner.failed(this, status);
  }

  private sendCancel(): void {
    this.cancelPending = false;
    if (this.state !== 'proceeding' && this.state !== 'early') return;
    const cancel = createCancel(this.tx?.request ?? this.invite);
    if (this.completedElsewhere) cancel.headers.append('Reason', COMPLETED_ELSEWHERE);
    try {
      this.deps.stack.sendRequest(cancel, { flow: this.tx?.flow ?? this.binding.flow, delegate: {} });
    } catch (err) {
      this.deps.logger.warn('CANCEL send failed', { err: String(err) });
    }
    this.state = transitionOutbound(this.state, 'cancel');
  }

  private ack(dialog: DialogState): void {
    const ack = createAckFor2xx(dialog, this.invite);
    this.deps.stack.sendStateless(ack, dialog.flow ?? resolveTarget(ack)).catch((err: unknown) => this.deps.logger.warn('ACK send failed', { err: String(err) }));
  }

  private bye(): void {
    if (!this.dialog) return;
    const bye = createRequestInDialog(this.dialog, 'BYE');
    try {
      const flow = this.dialog.flow;
      if (flow && this.deps.stack.transport.isFlowAlive(flow)) this.deps.stack.sendRequest(bye, { flow, delegate: {} });
      else this.deps.stack.sendRequest(bye, { destination: resolveTarget(bye), delegate: {} });
    } catch (err) {
      this.deps.logger.warn('BYE send failed', { err: String(err) });
    }
  }

  /** Rule 2: one FSM move, then the callee appearance's CallEvent when it is visible. */
  private move(input: OutboundInput, event?: TerminationEvent): void {
    this.state = transitionOutbound(this.state, input);
    const state = dialogStateOf(this.state);
    if (state === this.lastShown || !calleeVisible(state, this.lastShown !== undefined)) return;
    this.lastShown = state;
    this.deps.submit(calleeEvent(this.appearance, {
      id: this.lineDialogId, callId: this.invite.headers.get('call-id') ?? '', state,
      ...(this.remoteTag ? { localTag: this.remoteTag } : {}),
      remoteTag: tagOf(this.invite.headers.get('from')),
      ...(event && state === 'terminated' ? { terminationEvent: event } : {}),
      local: this.callee, remote: this.caller,
    }));
  }
}
