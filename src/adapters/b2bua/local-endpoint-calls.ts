/**
 * B2BUA calls placed by a local (non-SIP, SCCP) endpoint, reached through `LocalEndpointPort`
 * (core/ports/local-endpoint.ts), to a SIP or local device (issue 5). Calls from SIP devices stay in
 * B2buaCalls, which rings local appearances itself (its Rule 5).
 *
 * Rule 1: the called DN is resolved with the caller's calling CSS exactly as for SIP callers
 *         (call-routing.ts); every registered device of the line rings: local ones through the port,
 *         SIP ones with one INVITE per registered contact (local-sip-fork.ts). The caller's own
 *         appearance never rings.
 * Rule 2: the first answer wins; the other forks end with `answered-elsewhere` (CANCEL for SIP).
 * Rule 3: busy devices get no fork (a SIP appearance at its busyTrigger, counted over B2buaCalls'
 *         calls too; a local device the port calls busy): none registered → 480, every one busy →
 *         486; all forks failed → `finalStatusOf` their statuses, as B2buaCalls does.
 * Rule 4: in-dialog requests on our SIP dialogs: BYE ends the call, a re-INVITE is answered with the
 *         local side's SDP (no media anchoring), anything else gets 200.
 */
import {
  createResponse, dialogIdOfIncoming,
  type Flow, type ServerTransaction, type SipRequest, type SipStack,
} from '../../sip/index.js';
import type {
  AppearanceRef, CallEvent, CallLegControl, CallLegListener, Directory, Identity, LegEndReason, LocalCallOffer,
  LocalCallRequest, LocalEndpointPort,
} from '../../core/index.js';
import { resolveCallTarget, type CallTarget } from './call-routing.js';
import { LocalSipFork, type SipForkOwner } from './local-sip-fork.js';
import { finalStatusOf, incomingKey, sameApp, sdpHeaders } from './call-model.js';
import { planLineForks } from './fork-plan.js';
import type { Binding, RegistrarBindings } from './registrar-bindings.js';

export interface LocalCallsDeps {
  readonly directory: () => Directory;
  readonly bindings: RegistrarBindings;
  readonly stack: SipStack;
  readonly now: () => number;
  readonly submit: (event: CallEvent) => void;
  readonly contactFor: (flow: Flow) => string;
  readonly logger: { warn(message: string, fields?: Record<string, unknown>): void };
  /** Rule 3: a SIP appearance is at its busyTrigger (B2buaCalls counts its calls and ours) */
  readonly sipBusy?: (app: AppearanceRef) => boolean;
}

/** One fork of a call, whatever its protocol. */
interface Fork {
  readonly end: (reason: LegEndReason) => void;
  done: boolean;
  status?: number;
  /** the SIP leg, for a SIP fork (busy counting) */
  readonly sip?: LocalSipFork;
}

interface LocalCall {
  readonly id: string;
  readonly listener: CallLegListener;
  readonly forks: Fork[];
  alerted: boolean;
  answeredBy?: Fork;
  over: boolean;
}

/** What an in-dialog request on one of our SIP dialogs reaches. */
interface DialogRef {
  onBye(): void;
  sdp(): string;
}

const NO_CONTROL: CallLegControl = { end: () => undefined };

export class LocalEndpointCalls {
  private port: LocalEndpointPort | undefined;
  private readonly dialogs = new Map<string, DialogRef>();
  private readonly active = new Map<string, { call: LocalCall; control: CallLegControl }>();
  /** SIP forks → their fork handle */
  private readonly forkHandles = new WeakMap<LocalSipFork, Fork>();
  private seq = 0;

  constructor(private readonly deps: LocalCallsDeps) {}

  setPort(port: LocalEndpointPort | undefined): void {
    this.port = port;
  }

  /** A local endpoint places a call (Rule 1). */
  place(req: LocalCallRequest, listener: CallLegListener): CallLegControl {
    const dir = this.deps.directory();
    const device = dir.devices.get(req.appearance.device);
    if (!device) return this.refuse(listener, 404, 'Not Found');
    const target = resolveCallTarget(dir, device, `sip:${req.dialled}@${dir.params.domain}`);
    if (target.kind === 'route') return this.refuse(listener, 503, 'Service Unavailable');
    if (target.kind !== 'line') return this.refuse(listener, 404, 'Not Found');
    const offer: LocalCallOffer = { callId: req.callId, caller: req.caller, callee: this.calleeIdentity(dir, target), sdp: req.sdp };
    return this.startForks(this.newCall(listener), target, offer, req.appearance);
  }

  /** Answered SIP legs of our calls on this appearance (B2buaCalls' busy count, Rule 3). */
  activeOn(app: AppearanceRef): number {
    let n = 0;
    for (const { call } of this.active.values()) {
      const sip = call.answeredBy?.sip;
      if (sip && sip.state === 'confirmed' && sameApp(sip.appearance, app)) n++;
    }
    return n;
  }

  /** Rule 4; false when the dialog is not ours. */
  handleInDialog(tx: ServerTransaction): boolean {
    const key = dialogIdOfIncoming(tx.request);
    const ref = key === null ? undefined : this.dialogs.get(key);
    if (!ref || key === null) return false;
    if (tx.request.method === 'BYE') {
      tx.reply(200, 'OK');
      this.dialogs.delete(key);
      ref.onBye();
      return true;
    }
    const sdp = tx.request.method === 'INVITE' ? ref.sdp() : '';
    tx.respond(createResponse(tx.request, 200, 'OK', {
      headers: [['Contact', `<${this.deps.contactFor(tx.flow)}>`], ...sdpHeaders(sdp)],
      body: sdp,
    }));
    return true;
  }

  /** ACKs for our 2xx in these dialogs need nothing more; true when the dialog is ours. */
  handleAck(ack: SipRequest): boolean {
    const key = dialogIdOfIncoming(ack);
    return key !== null && this.dialogs.has(key);
  }

  get activeCalls(): number {
    return this.active.size;
  }

  /** Shutdown: every call ends. */
  close(): void {
    for (const { control } of [...this.active.values()]) control.end('hung-up');
    this.active.clear();
    this.dialogs.clear();
  }

  private refuse(listener: CallLegListener, status: number, reason: string): CallLegControl {
    listener.onFailed(status, reason);
    return NO_CONTROL;
  }

  private newCall(listener: CallLegListener, id = `l${++this.seq}`): LocalCall {
    return { id, listener, forks: [], alerted: false, over: false };
  }

  private calleeIdentity(dir: Directory, target: Extract<CallTarget, { kind: 'line' }>): Identity {
    const name = dir.lines.get(target.line)?.alertingName;
    return { uri: `sip:${target.dn}@${dir.params.domain}`, ...(name ? { display: name } : {}) };
  }

  /** Rules 1-3. */
  private startForks(call: LocalCall, target: Extract<CallTarget, { kind: 'line' }>, offer: LocalCallOffer, from: AppearanceRef): CallLegControl {
    const now = this.deps.now();
    const plan = planLineForks({
      appearances: target.appearances, caller: from, port: this.port,
      contactsOf: (app) => this.deps.bindings.contactsOf(app.device, target.dn, now),
      sipBusy: (app) => this.deps.sipBusy?.(app) ?? false,
    });
    if (plan.kind === 'fail') return this.refuse(call.listener, plan.status, plan.reason);
    const control: CallLegControl = { end: (reason) => this.endCall(call, reason) };
    this.active.set(call.id, { call, control });
    const starts = plan.sip.map((c, i) => this.sipFork(call, c.app, c.b, offer, i + 1));
    for (const app of plan.locals) starts.push(() => this.ringLocal(call, app, offer));
    for (const start of starts) if (!call.over) start();
    this.maybeFail(call);
    return control;
  }

  /** One SIP fork; returns its start. */
  private sipFork(call: LocalCall, app: AppearanceRef, b: Binding, offer: LocalCallOffer, n: number): () => void {
    const fork = new LocalSipFork(this.deps, this.sipOwner(call), `${call.id}:b${n}`, app, b, offer.caller, offer.callee, offer.sdp);
    const handle: Fork = { end: (r) => this.endSipFork(fork, r), done: false, sip: fork };
    this.forkHandles.set(fork, handle);
    call.forks.push(handle);
    return () => fork.start();
  }

  private ringLocal(call: LocalCall, app: AppearanceRef, offer: LocalCallOffer): void {
    const handle: Fork = { end: () => undefined, done: false };
    call.forks.push(handle);
    const listener: CallLegListener = {
      onAlerting: () => this.alerting(call),
      onAnswered: (sdp) => this.answered(call, handle, sdp),
      onFailed: (status) => this.failed(call, handle, status),
      onHungUp: () => this.hungUp(call, handle),
    };
    const control = this.port!.ring(app, offer, listener);
    if (control) {
      (handle as { end: Fork['end'] }).end = (reason) => control.end(reason);
      return;
    }
    handle.done = true;
    handle.status = 486;
  }

  private sipOwner(call: LocalCall): SipForkOwner {
    const h = (fork: LocalSipFork) => this.forkHandles.get(fork)!;
    return {
      alerting: () => this.alerting(call),
      answered: (fork, sdp) => this.answered(call, h(fork), sdp),
      failed: (fork, status) => this.failed(call, h(fork), status),
      hungUp: (fork) => this.hungUp(call, h(fork)),
      dialogCreated: (fork, dialog) => this.dialogs.set(incomingKey(dialog), {
        onBye: () => fork.byeReceived(),
        sdp: () => '',
      }),
    };
  }

  private endSipFork(fork: LocalSipFork, reason: LegEndReason): void {
    fork.end(reason === 'hung-up' ? 'remote-bye' : 'cancelled', reason === 'answered-elsewhere');
    if (fork.dialog && fork.state === 'terminated') this.dialogs.delete(incomingKey(fork.dialog));
  }

  private alerting(call: LocalCall): void {
    if (call.alerted || call.over || call.answeredBy) return;
    call.alerted = true;
    call.listener.onAlerting();
  }

  /** Rule 2. */
  private answered(call: LocalCall, fork: Fork, sdp: string): void {
    if (call.over || call.answeredBy) return fork.end(call.over ? 'cancelled' : 'answered-elsewhere');
    call.answeredBy = fork;
    for (const other of call.forks) if (other !== fork && !other.done) other.end('answered-elsewhere');
    call.listener.onAnswered(sdp);
  }

  /** Rule 3. */
  private failed(call: LocalCall, fork: Fork, status: number): void {
    fork.done = true;
    fork.status = status;
    this.maybeFail(call);
  }

  private maybeFail(call: LocalCall): void {
    if (call.over || call.answeredBy || call.forks.some((f) => !f.done)) return;
    this.finish(call);
    const status = finalStatusOf(call.forks.map((f) => f.status ?? 480));
    call.listener.onFailed(status, status === 486 ? 'Busy Here' : 'Temporarily Unavailable');
  }

  private hungUp(call: LocalCall, fork: Fork): void {
    fork.done = true;
    if (call.over || call.answeredBy !== fork) return;
    this.finish(call);
    call.listener.onHungUp();
  }

  /** The caller's side ended the call. */
  private endCall(call: LocalCall, reason: LegEndReason): void {
    if (call.over) return;
    this.finish(call);
    if (call.answeredBy) return call.answeredBy.end('hung-up');
    for (const f of call.forks) if (!f.done) f.end(reason === 'hung-up' ? 'cancelled' : reason);
  }

  private finish(call: LocalCall): void {
    call.over = true;
    this.active.delete(call.id);
  }
}

