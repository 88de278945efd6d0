/**
 * B2BUA calls that involve a local (non-SIP, SCCP) endpoint, reached through `LocalEndpointPort`
 * (core/ports/local-endpoint.ts): a local endpoint calling a SIP or local device, and a SIP device
 * calling a line carried by local endpoints (issue 5). B2buaCalls hands such calls here.
 *
 * Rule 1: the called DN is resolved with the caller's calling CSS exactly as for SIP callers
 *         (call-routing.ts); every appearance of the line rings: local ones through the port, SIP
 *         ones with one INVITE per registered contact (local-sip-fork.ts). The caller's own
 *         appearance never rings.
 * Rule 2: the first answer wins; the other forks end with `answered-elsewhere` (CANCEL for SIP).
 * Rule 3: all forks failed → the caller hears the most telling status: 486 if any was busy, else
 *         the last one (480 when nothing could ring at all).
 * Rule 4: in-dialog requests on our SIP dialogs: BYE ends the call, a re-INVITE is answered with the
 *         local side's SDP (no media anchoring), anything else gets 200.
 */
import {
  createResponse, dialogIdOfIncoming, generateTag,
  type DialogState, type Flow, type ServerTransaction, type SipRequest, type SipStack,
} from '../../sip/index.js';
import type {
  AppearanceRef, CallEvent, CallLegControl, CallLegListener, Directory, Identity, LegEndReason, LocalCallOffer,
  LocalCallRequest, LocalEndpointPort,
} from '../../core/index.js';
import { resolveCallTarget, type CallTarget } from './call-routing.js';
import { LocalSipFork, type SipForkOwner } from './local-sip-fork.js';
import { LocalSipCaller } from './local-sip-caller.js';
import type { RegistrarBindings } from './registrar-bindings.js';

export interface LocalCallsDeps {
  readonly directory: () => Directory;
  readonly bindings: RegistrarBindings;
  readonly stack: SipStack;
  readonly now: () => number;
  readonly submit: (event: CallEvent) => void;
  readonly contactFor: (flow: Flow) => string;
  readonly logger: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** One fork of a call, whatever its protocol. */
interface Fork {
  readonly end: (reason: LegEndReason) => void;
  done: boolean;
}

interface LocalCall {
  readonly id: string;
  readonly listener: CallLegListener;
  readonly forks: Fork[];
  alerted: boolean;
  answeredBy?: Fork;
  over: boolean;
  status: number;
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
  private readonly active = new Map<string, { call: LocalCall; control: CallLegControl; caller?: LocalSipCaller }>();
  /** SIP forks → their fork handle */
  private readonly forkHandles = new WeakMap<LocalSipFork, Fork>();
  private seq = 0;

  constructor(private readonly deps: LocalCallsDeps) {}

  setPort(port: LocalEndpointPort | undefined): void {
    this.port = port;
  }

  /** True when a local endpoint must take calls to this line (one of its devices is served). */
  servesLine(target: Extract<CallTarget, { kind: 'line' }>): boolean {
    return this.port !== undefined && target.appearances.some((a) => this.port!.serves(a.device));
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
    return this.startForks(this.newCall(listener), target, offer, req.appearance, true);
  }

  /** A SIP device called a line served here (B2buaCalls hands the INVITE over after auth). */
  acceptSip(tx: ServerTransaction, callerApp: AppearanceRef, callerIdentity: Identity, target: Extract<CallTarget, { kind: 'line' }>): void {
    const dir = this.deps.directory();
    const callee = this.calleeIdentity(dir, target);
    const id = `l${++this.seq}`;
    const caller = new LocalSipCaller(this.deps, tx, id, callerApp, callerIdentity, callee, generateTag(), {
      add: (d, leg) => this.dialogs.set(dialogKey(d), { onBye: () => leg.byeReceived(), sdp: () => leg.answerSdp }),
      remove: (d) => this.dialogs.delete(dialogKey(d)),
    });
    const offer: LocalCallOffer = { callId: tx.request.headers.get('call-id') ?? id, caller: callerIdentity, callee, sdp: tx.request.body.toString('utf8') };
    const call = this.newCall(caller, id);
    const control = this.startForks(call, target, offer, callerApp, false);
    caller.control = control;
    const entry = this.active.get(call.id);
    if (entry) entry.caller = caller;
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
      headers: [['Contact', `<${this.deps.contactFor(tx.flow)}>`], ...(sdp ? [['Content-Type', 'application/sdp'] as [string, string]] : [])],
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
    for (const { control, caller } of [...this.active.values()]) {
      caller?.close();
      control.end('hung-up');
    }
    this.active.clear();
    this.dialogs.clear();
  }

  private refuse(listener: CallLegListener, status: number, reason: string): CallLegControl {
    listener.onFailed(status, reason);
    return NO_CONTROL;
  }

  private newCall(listener: CallLegListener, id = `l${++this.seq}`): LocalCall {
    return { id, listener, forks: [], alerted: false, over: false, status: 480 };
  }

  private calleeIdentity(dir: Directory, target: Extract<CallTarget, { kind: 'line' }>): Identity {
    const name = dir.lines.get(target.line)?.alertingName;
    return { uri: `sip:${target.dn}@${dir.params.domain}`, ...(name ? { display: name } : {}) };
  }

  /** Rules 1-3. `sipForks` false: a SIP caller reaches only the local appearances (B2buaCalls forks SIP). */
  private startForks(call: LocalCall, target: Extract<CallTarget, { kind: 'line' }>, offer: LocalCallOffer, from: AppearanceRef, sipForks: boolean): CallLegControl {
    const control: CallLegControl = { end: (reason) => this.endCall(call, reason) };
    this.active.set(call.id, { call, control });
    const starts: Array<() => void> = [];
    let n = 0;
    for (const app of target.appearances) {
      if (app.device === from.device && app.index === from.index) continue;
      if (this.port?.serves(app.device)) starts.push(() => this.ringLocal(call, app, offer));
      else if (sipForks) {
        for (const b of this.deps.bindings.contactsOf(app.device, target.dn, this.deps.now())) {
          const fork = new LocalSipFork(this.deps, this.sipOwner(call), `${call.id}:b${++n}`, app, b, offer.caller, offer.callee, offer.sdp);
          const handle: Fork = { end: (r) => this.endSipFork(fork, r), done: false };
          this.forkHandles.set(fork, handle);
          call.forks.push(handle);
          starts.push(() => fork.start());
        }
      }
    }
    if (starts.length === 0) {
      this.finish(call);
      call.listener.onFailed(480, 'Temporarily Unavailable');
      return NO_CONTROL;
    }
    for (const start of starts) if (!call.over) start();
    this.maybeFail(call);
    return control;
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
    call.status = 486;
  }

  private sipOwner(call: LocalCall): SipForkOwner {
    const h = (fork: LocalSipFork) => this.forkHandles.get(fork)!;
    return {
      alerting: () => this.alerting(call),
      answered: (fork, sdp) => this.answered(call, h(fork), sdp),
      failed: (fork, status) => this.failed(call, h(fork), status),
      hungUp: (fork) => this.hungUp(call, h(fork)),
      dialogCreated: (fork, dialog) => this.dialogs.set(dialogKey(dialog), {
        onBye: () => fork.byeReceived(),
        sdp: () => '',
      }),
    };
  }

  private endSipFork(fork: LocalSipFork, reason: LegEndReason): void {
    fork.end(reason === 'hung-up' ? 'remote-bye' : 'cancelled');
    if (fork.dialog && fork.state === 'terminated') this.dialogs.delete(dialogKey(fork.dialog));
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
    if (call.status !== 486) call.status = status;
    this.maybeFail(call);
  }

  private maybeFail(call: LocalCall): void {
    if (call.over || call.answeredBy || call.forks.some((f) => !f.done)) return;
    this.finish(call);
    call.listener.onFailed(call.status, call.status === 486 ? 'Busy Here' : 'Temporarily Unavailable');
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

/** The key `dialogIdOfIncoming` yields for requests the peer sends in this dialog. */
function dialogKey(d: DialogState): string {
  return `${d.callId};${d.localTag};${d.remoteTag}`;
}
