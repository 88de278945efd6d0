/**
 * B2BUA calls on the line side (RFC 3261 §13-§15 as UAS toward the caller and UACs toward each fork),
 * with BLF pickup (RFC 3891 Replaces; Cisco `x-cisco-serviceuri-blfpickup-<DN>`).
 *
 * Rule 1: a new INVITE comes from an authenticated device; its calling CSS resolves the target
 *         (call-routing.ts): DN → fork to every registered contact of every non-busy appearance;
 *         none found → 404; route pattern → `routeToTrunk` seam (unset → 503); the trunk wiring
 *         answers it with `routeCallToTrunk`: one UAC leg to the trunk's destination, bridged like a
 *         fork but with no callee appearance of ours (no CallEvents for that side).
 * Rule 2: every leg change goes through the leg FSM tables, then emits the CallEvents the BLF needs
 *         (call-dialogs.ts); the engine sees exactly one event per visible change.
 * Rule 3: the first 2xx wins; the other forks are CANCELled (RFC 3326 Reason "Call completed
 *         elsewhere"); a 2xx that races a CANCEL is ACKed and BYEd.
 * Rule 4: busy: an appearance whose active calls reach its busyTrigger gets no fork; when every
 *         registered appearance is busy → 486; when none is registered → 480.
 * Rule 5: a shared line rings every registered device of it, SIP and SCCP alike: appearances of
 *         devices registered over a `LocalEndpointPort` get a local fork (local-forks.ts) beside the
 *         SIP forks; busy and first-answer-wins (Rules 3-4) span both kinds; the caller's own
 *         appearance never rings. Calls local endpoints place go through LocalEndpointCalls (issue 5).
 */
import {
  createCancel, createRequest, createRequestInDialog, createAckFor2xx, createUacDialog, createUasDialog, createResponse,
  dialogIdOfIncoming, generateCallId, generateTag, getCSeq, getFrom, parseUri, resolveTarget, tagOf,
  type ClientTransactionDelegate, type Destination, type DialogState, type Flow, type ServerTransaction, type SipRequest, type SipResponse, type SipStack,
} from '../../sip/index.js';
import type {
  AppearanceRef, CallEvent, CallLegControl, CallLegListener, Device, Directory, Identity, LocalCallRequest, LocalEndpointPort,
} from '../../core/index.js';
import { LocalEndpointCalls } from './local-endpoint-calls.js';
import { resolveCallTarget, cssReachesLine, type CallTarget } from './call-routing.js';
import { parseReplaces, replacesMatches } from './replaces.js';
import { transitionInbound, transitionOutbound, dialogStateOf, type InboundInput, type OutboundInput } from './call-leg-fsm.js';
import { callerEvent, calleeEvent, calleeVisible, type TerminationEvent } from './call-dialogs.js';
import {
  COMPLETED_ELSEWHERE, NO_APPEARANCE, bodyHeaders, finalStatusOf, isHoldSdp, type BridgedLeg, type Call, type LocalLeg, type OutboundLeg, type TrunkLegTarget,
} from './call-model.js';
import { LocalForks, endLocalLeg } from './local-forks.js';
import type { DeviceAuthenticator } from './device-auth.js';
import type { RegistrarBindings } from './registrar-bindings.js';

export interface CallsLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** The trunk engineer's seam: take a call routed to a trunk; return false to have us answer 503. */
export type RouteToTrunk = (tx: ServerTransaction, target: Extract<CallTarget, { kind: 'route' }>, caller: Device) => boolean;

export interface CallsDeps {
  readonly directory: () => Directory;
  readonly auth: DeviceAuthenticator;
  readonly bindings: RegistrarBindings;
  readonly stack: SipStack;
  readonly now: () => number;
  readonly submit: (event: CallEvent) => void;
  /** our Contact URI on a flow */
  readonly contactFor: (flow: Flow) => string;
  readonly logger: CallsLogger;
  routeToTrunk?: RouteToTrunk;
}

type LegRef = { call: Call; side: 0 | 1 };

export class B2buaCalls {
  private readonly calls = new Map<string, Call>();
  /** dialog id as seen by incoming requests → bridged side */
  private readonly dialogs = new Map<string, LegRef>();
  private seq = 0;
  /** Rule 5 */
  private readonly local: LocalEndpointCalls;
  private port: LocalEndpointPort | undefined;
  private readonly localForks = new LocalForks({
    alerting: (call) => this.localAlerting(call),
    answered: (call, leg, sdp) => this.localAnswered(call, leg, sdp),
    failed: (call) => this.maybeFailCall(call),
    hungUp: (call, leg) => this.localHungUp(call, leg),
  });

  constructor(private readonly deps: CallsDeps & { routeToTrunk?: RouteToTrunk }) {
    this.local = new LocalEndpointCalls({ ...deps, sipBusy: (app) => this.isBusy(this.deps.directory(), app) });
  }

  /** The seam to devices registered over SCCP (Rule 5); unset = SIP only. */
  setLocalEndpoints(port: LocalEndpointPort | undefined): void {
    this.port = port;
    this.local.setPort(port);
  }

  /** A local (SCCP) endpoint places a call through the B2BUA (Rule 5). */
  placeLocalCall(request: LocalCallRequest, listener: CallLegListener): CallLegControl {
    return this.local.place(request, listener);
  }

  /** The trunk seam (issue 6): route-pattern targets go here; unset → 503. */
  setRouteToTrunk(route: RouteToTrunk | undefined): void {
    this.deps.routeToTrunk = route;
  }

  get activeCalls(): number {
    return this.calls.size + this.local.activeCalls;
  }

  /* ------------------------------------------------------------ INVITE */

  handleInvite(tx: ServerTransaction): void {
    const req = tx.request;
    if (tagOf(req.headers.get('to')) !== undefined) return this.handleInDialog(tx);
    const mf = Number(req.headers.get('max-forwards') ?? '70');
    if (mf <= 0) return void tx.reply(483, 'Too Many Hops', { toTag: true });
    const auth = this.deps.auth.authenticate(req);
    if (!auth.ok) return void tx.respond(auth.response);
    const dir = this.deps.directory();
    const caller = auth.device;
    const replaces = req.headers.get('replaces');
    if (replaces !== undefined) return this.pickupByReplaces(tx, caller, replaces);
    const target = resolveCallTarget(dir, caller, req.uri);
    switch (target.kind) {
      case 'none':
        return void tx.reply(404, 'Not Found', { toTag: true });
      case 'route':
        if (this.deps.routeToTrunk?.(tx, target, caller)) return;
        return void tx.reply(503, 'Service Unavailable', { toTag: true, headers: [['Retry-After', '60']] });
      case 'pickup':
        return this.pickupLine(tx, caller, target.line);
      case 'line':
        return this.startCall(tx, caller, target, dir);
    }
  }

  /** Rules 4-5: fork to every free registered device of the line, SIP and local. */
  private startCall(tx: ServerTransaction, caller: Device, target: Extract<CallTarget, { kind: 'line' }>, dir: Directory): void {
    const own = this.callerAppearance(caller, tx.request);
    const apps = target.appearances.filter((a) => !sameApp(a, own));
    const port = this.port;
    const locals = port ? apps.filter((a) => port.serves(a.device)) : [];
    const now = this.deps.now();
    const sip = apps.filter((a) => !locals.includes(a)).flatMap((app) => this.contactsFor(dir, app, now).map((b) => ({ app, b })));
    if (sip.length + locals.length === 0) return void tx.reply(480, 'Temporarily Unavailable', { toTag: true });
    const freeSip = sip.filter((c) => !this.isBusy(dir, c.app));
    const freeLocals = locals.filter((a) => !port!.busy(a.device));
    if (freeSip.length + freeLocals.length === 0) return void tx.reply(486, 'Busy Here', { toTag: true });
    const line = dir.lines.get(target.line);
    const call = this.openCall(tx, caller, dir, { line: target.line, dn: target.dn },
      { uri: `sip:${target.dn}@${dir.params.domain}`, ...(line?.alertingName ? { display: line.alertingName } : {}) });
    freeSip.forEach((c, i) => this.fork(call, c.app, c.b, i + 1));
    for (const app of freeLocals) if (!isAnswered(call) && !call.ended) this.localForks.ring(port!, call, app);
  }

  /** Issue 6: a route-pattern call goes out the trunk as one leg (Rule 1). */
  routeCallToTrunk(tx: ServerTransaction, caller: Device, out: TrunkLegTarget): void {
    const dn = parseUri(out.requestUri)?.user ?? out.requestUri;
    const call = this.openCall(tx, caller, this.deps.directory(), { line: '', dn }, { uri: out.requestUri });
    this.fork(call, NO_APPEARANCE, undefined, 1, out);
  }

  /** The caller's side of a new call: 100 Trying, CANCEL watch, first CallEvent. */
  private openCall(tx: ServerTransaction, caller: Device, dir: Directory, target: Call['target'], callee: Identity): Call {
    const callerApp = this.callerAppearance(caller, tx.request);
    const call: Call = {
      id: `c${++this.seq}`,
      target,
      calleeIdentity: callee,
      inbound: { tx, invite: tx.request, appearance: callerApp, device: caller.name, localTag: generateTag(), identity: this.callerIdentity(dir, caller, callerApp, tx.request), state: 'trying' },
      forks: [],
      localForks: [],
      earlySdpSent: false,
      ended: false,
    };
    this.calls.set(call.id, call);
    tx.delegate = { onCancel: () => this.callerCancelled(call), onTerminated: () => undefined };
    tx.reply(100, 'Trying');
    this.emitCaller(call);
    return call;
  }

  private contactsFor(dir: Directory, app: AppearanceRef, now: number) {
    const dn = dir.devices.get(app.device)?.lines.find((l) => l.index === app.index)?.dn;
    return dn === undefined ? [] : this.deps.bindings.contactsOf(app.device, dn, now);
  }

  /** Rule 4: active calls on an appearance (as caller, or answered callee/picker), here and in calls local endpoints placed. */
  private isBusy(dir: Directory, app: AppearanceRef): boolean {
    const la = dir.devices.get(app.device)?.lines.find((l) => l.index === app.index);
    if (!la) return true;
    let active = this.local.activeOn(app);
    for (const c of this.calls.values()) {
      if (c.ended) continue;
      if (sameApp(c.inbound.appearance, app)) active++;
      else if (c.bridge && sameApp(c.bridge[1].appearance, app)) active++;
    }
    return active >= la.busyTrigger;
  }

  private callerAppearance(caller: Device, req: SipRequest): AppearanceRef {
    const fromUser = parseUri(getFrom(req)?.uri ?? '')?.user;
    const la = caller.lines.find((l) => l.dn === fromUser) ?? caller.lines[0];
    return { device: caller.name, index: la?.index ?? 1 };
  }

  private callerIdentity(dir: Directory, caller: Device, app: AppearanceRef, req: SipRequest): Identity {
    const la = caller.lines.find((l) => l.index === app.index);
    const dn = la?.dn ?? parseUri(getFrom(req)?.uri ?? '')?.user ?? caller.name;
    const display = la?.display ?? getFrom(req)?.display ?? dir.lines.get(`${dn}/${la?.partition ?? ''}`)?.alertingName;
    return { uri: `sip:${dn}@${dir.params.domain}`, ...(display ? { display } : {}) };
  }

  /* ------------------------------------------------------------ forks */

  private fork(call: Call, app: AppearanceRef, binding: OutboundLeg['binding'], n: number, trunk?: TrunkLegTarget): void {
    const a = call.inbound.invite;
    const from = `${call.inbound.identity.display ? `"${call.inbound.identity.display.replace(/"/g, '')}" ` : ''}<${call.inbound.identity.uri}>;tag=${generateTag()}`;
    const mf = Math.max(0, Number(a.headers.get('max-forwards') ?? '70') - 1);
    const headers: Array<[string, string]> = [
      ['From', from], ['To', `<${call.calleeIdentity.uri}>`], ['Call-ID', generateCallId()], ['CSeq', '1 INVITE'],
      ['Max-Forwards', String(mf)], ['Contact', `<${trunk?.contact ?? this.deps.contactFor(binding!.flow)}>`],
      ['Allow', 'INVITE, ACK, CANCEL, BYE, UPDATE, INFO, OPTIONS'], ...bodyHeaders(a),
    ];
    const invite = createRequest({ method: 'INVITE', uri: trunk?.requestUri ?? binding!.contact, headers, body: a.body });
    const leg: OutboundLeg = { n, appearance: app, ...(binding ? { binding } : {}), ...(trunk ? { trunk } : {}), invite, state: 'trying', shown: false, cancelPending: false };
    call.forks.push(leg);
    const delegate: ClientTransactionDelegate = {
      onResponse: (res) => this.forkResponse(call, leg, res),
      onTimeout: () => this.forkFailed(call, leg, 'timeout', 408),
      onTransportError: () => this.forkFailed(call, leg, 'error', 503),
    };
    leg.tx = this.send(invite, binding?.flow, delegate, trunk?.destination);
  }

  private forkResponse(call: Call, leg: OutboundLeg, res: SipResponse): void {
    const s = res.status;
    const tag = tagOf(res.headers.get('to'));
    if (tag && !leg.remoteTag) leg.remoteTag = tag;
    if (s < 200) {
      const input: OutboundInput = s > 100 && tag ? 'ringing-1xx' : 'trying-1xx';
      this.moveFork(call, leg, input);
      if (leg.cancelPending) this.sendCancel(leg);
      if (input === 'ringing-1xx' && leg.state === 'early' && !isAnswered(call) && !call.ended) this.relayRinging(call, res.status, res.reason, res);
      else if (input === 'trying-1xx' && call.inbound.state === 'trying') this.moveInbound(call, 'relay-1xx');
      return;
    }
    leg.lastStatus = s;
    if (s < 300) return this.forkAnswered(call, leg, res);
    const event: TerminationEvent = leg.cancelReason ?? (s === 487 ? 'cancelled' : 'rejected');
    this.endFork(call, leg, 'reject-final', event);
    this.maybeFailCall(call);
  }

  private forkFailed(call: Call, leg: OutboundLeg, event: TerminationEvent, status: number): void {
    leg.lastStatus = leg.lastStatus ?? status;
    if (leg.state === 'confirmed' && call.bridge) return this.hangUp(call, 1, event);
    this.endFork(call, leg, 'timeout', leg.cancelReason ?? event);
    this.maybeFailCall(call);
  }

  /** A tagged 18x to the caller; `early` carries early media (only the first fork's is relayed). */
  private relayRinging(call: Call, status: number, reason: string | undefined, early?: SipResponse): void {
    const withSdp = early !== undefined && early.body.length > 0 && !call.earlySdpSent;
    if (withSdp) call.earlySdpSent = true;
    const out = createResponse(call.inbound.invite, status, reason, {
      toTag: call.inbound.localTag,
      headers: [['Contact', `<${this.deps.contactFor(call.inbound.tx.flow)}>`], ...(withSdp ? bodyHeaders(early) : [])],
      ...(withSdp ? { body: early.body } : {}),
    });
    call.inbound.tx.respond(out);
    this.moveInbound(call, 'relay-18x');
  }

  /** Rule 3. */
  private forkAnswered(call: Call, leg: OutboundLeg, res: SipResponse): void {
    const wasConfirmed = leg.state === 'confirmed';
    this.moveFork(call, leg, 'answer-2xx');
    const dialog = leg.dialog ?? createUacDialog(leg.invite, res, leg.tx?.flow ?? leg.binding?.flow);
    if (dialog === null) return this.deps.logger.warn('2xx without usable Contact/To-tag', { call: call.id });
    leg.dialog = dialog;
    if (wasConfirmed) return this.ack(leg, dialog, Buffer.alloc(0)); // retransmitted 2xx
    const winner = !isAnswered(call) && !call.ended && call.inbound.state !== 'terminated';
    if (!winner) {
      this.ack(leg, dialog, Buffer.alloc(0));
      this.send(createRequestInDialog(dialog, 'BYE'), dialog.flow);
      this.endFork(call, leg, 'bye-sent', leg.cancelReason ?? 'cancelled');
      return;
    }
    if (call.inbound.invite.body.length > 0) this.ack(leg, dialog, Buffer.alloc(0));
    else call.pendingAck = { leg, invite: leg.invite };
    for (const other of call.forks) if (other !== leg) this.cancelFork(other, 'cancelled', COMPLETED_ELSEWHERE);
    this.localForks.endAll(call, 'answered-elsewhere');
    const answer = createResponse(call.inbound.invite, 200, 'OK', {
      toTag: call.inbound.localTag,
      headers: [['Contact', `<${this.deps.contactFor(call.inbound.tx.flow)}>`], ...bodyHeaders(res)],
      body: res.body,
    });
    call.inbound.tx.respond(answer);
    const callerDialog = createUasDialog(call.inbound.invite, answer, call.inbound.tx.flow);
    if (callerDialog === null) return this.deps.logger.warn('caller INVITE without Contact', { call: call.id });
    this.bridge(call, callerDialog, {
      role: leg.trunk ? 'trunk' : 'callee', appearance: leg.appearance, dialog, lineDialogId: `${call.id}:b${leg.n}`,
      local: call.calleeIdentity, remote: call.inbound.identity, held: false,
    });
    this.moveInbound(call, 'answer');
  }

  private ack(leg: OutboundLeg, dialog: DialogState, body: Buffer): void {
    const ack = createAckFor2xx(dialog, leg.invite, { body, headers: body.length > 0 ? [['Content-Type', 'application/sdp']] : [] });
    this.deps.stack.sendStateless(ack, dialog.flow ?? resolveTarget(ack)).catch((err: unknown) => this.deps.logger.warn('ACK send failed', { err: String(err) }));
  }

  private cancelFork(leg: OutboundLeg, reason: TerminationEvent, reasonHeader?: string): void {
    if (leg.state === 'terminated' || leg.state === 'confirmed' || leg.state === 'cancelling') return;
    leg.cancelReason = reason;
    if (leg.state === 'trying') {
      leg.cancelPending = true;
      return;
    }
    this.sendCancel(leg, reasonHeader);
  }

  private sendCancel(leg: OutboundLeg, reasonHeader?: string): void {
    leg.cancelPending = false;
    if (leg.state === 'terminated' || leg.state === 'confirmed' || leg.state === 'cancelling') return;
    const cancel = createCancel(leg.tx?.request ?? leg.invite);
    if (reasonHeader) cancel.headers.append('Reason', reasonHeader);
    this.send(cancel, leg.tx?.flow ?? leg.binding?.flow, {}, leg.trunk?.destination);
    leg.state = transitionOutbound(leg.state, 'cancel');
  }

  private maybeFailCall(call: Call): void {
    if (call.ended) return this.finish(call); // the last cancelled fork of a finished call is over: drop it
    if (isAnswered(call) || call.forks.some((f) => f.state !== 'terminated') || call.localForks.some((l) => !l.done)) return;
    if (call.inbound.state === 'terminated') return this.finish(call);
    const status = finalStatusOf([...call.forks, ...call.localForks].map((f) => f.lastStatus ?? 480));
    call.inbound.tx.reply(status, undefined, { toTag: call.inbound.localTag });
    this.moveInbound(call, 'reject', status === 486 || status >= 600 ? 'rejected' : 'rejected');
    this.finish(call);
  }

  /* ------------------------------------------------------------ CANCEL from the caller */

  private callerCancelled(call: Call): void {
    if (call.bridge || call.inbound.state === 'terminated') return;
    call.inbound.tx.reply(487, 'Request Terminated', { toTag: call.inbound.localTag });
    this.moveInbound(call, 'reject', 'cancelled');
    for (const f of call.forks) this.cancelFork(f, 'cancelled');
    this.localForks.endAll(call, 'cancelled');
    if (call.forks.every((f) => f.state === 'terminated')) this.finish(call);
  }

  /* ------------------------------------------------------------ local forks (Rule 5) */

  private localAlerting(call: Call): void {
    if (isAnswered(call) || call.ended || call.inbound.state === 'terminated') return;
    this.relayRinging(call, 180, 'Ringing');
  }

  /** Rule 3 for a local leg: it wins, the SIP forks are CANCELled and the other local legs end. */
  private localAnswered(call: Call, leg: LocalLeg, sdp: string): void {
    if (isAnswered(call) || call.ended || call.inbound.state === 'terminated') return endLocalLeg(leg, 'answered-elsewhere');
    for (const f of call.forks) this.cancelFork(f, 'cancelled', COMPLETED_ELSEWHERE);
    this.localForks.endAll(call, 'answered-elsewhere', leg);
    const answer = createResponse(call.inbound.invite, 200, 'OK', {
      toTag: call.inbound.localTag,
      headers: [['Contact', `<${this.deps.contactFor(call.inbound.tx.flow)}>`], ...(sdp ? [['Content-Type', 'application/sdp'] as [string, string]] : [])],
      body: sdp,
    });
    call.inbound.tx.respond(answer);
    const dialog = createUasDialog(call.inbound.invite, answer, call.inbound.tx.flow);
    if (dialog === null) return this.deps.logger.warn('caller INVITE without Contact', { call: call.id });
    const caller: BridgedLeg = {
      role: 'caller', appearance: call.inbound.appearance, dialog, lineDialogId: `${call.id}:a`,
      local: call.inbound.identity, remote: call.calleeIdentity, held: false,
    };
    call.localAnswer = { leg, caller, sdp };
    this.dialogs.set(incomingKey(dialog), { call, side: 0 });
    this.moveInbound(call, 'answer');
  }

  /** The local side hung up after answering: BYE the caller. */
  private localHungUp(call: Call, leg: LocalLeg): void {
    const answered = call.localAnswer;
    if (!answered || answered.leg !== leg) return;
    this.send(createRequestInDialog(answered.caller.dialog, 'BYE'), answered.caller.dialog.flow);
    this.endLocalAnswer(call, 'bye-sent', 'remote-bye');
  }

  /** In-dialog requests from a caller talking to a local leg: BYE ends it; a re-INVITE gets the local SDP again (no media anchoring). */
  private localInDialog(tx: ServerTransaction, call: Call): void {
    const answered = call.localAnswer!;
    const req = tx.request;
    if (req.method === 'BYE') {
      tx.reply(200, 'OK');
      endLocalLeg(answered.leg, 'hung-up');
      return this.endLocalAnswer(call, 'bye-received', 'local-bye');
    }
    const sdp = req.method === 'INVITE' ? answered.sdp : '';
    if (req.method === 'INVITE' && req.body.length > 0) {
      answered.caller.held = isHoldSdp(req.body);
      this.emitLeg(call, answered.caller, 'confirmed');
    }
    tx.respond(createResponse(req, 200, 'OK', {
      headers: [['Contact', `<${this.deps.contactFor(tx.flow)}>`], ...(sdp ? [['Content-Type', 'application/sdp'] as [string, string]] : [])],
      body: sdp,
    }));
  }

  private endLocalAnswer(call: Call, input: 'bye-sent' | 'bye-received', event: TerminationEvent): void {
    const answered = call.localAnswer!;
    this.emitLeg(call, answered.caller, 'terminated', event);
    if (call.inbound.state === 'confirmed') call.inbound.state = transitionInbound(call.inbound.state, input);
    this.finish(call);
  }

  /* ------------------------------------------------------------ bridging and in-dialog */

  private bridge(call: Call, callerDialog: DialogState, peer: BridgedLeg): void {
    const callerLeg: BridgedLeg = {
      role: 'caller', appearance: call.inbound.appearance, dialog: callerDialog, lineDialogId: `${call.id}:a`,
      local: call.inbound.identity, remote: peer.local, held: false,
    };
    call.bridge = [callerLeg, peer];
    this.dialogs.set(incomingKey(callerDialog), { call, side: 0 });
    this.dialogs.set(incomingKey(peer.dialog), { call, side: 1 });
    this.emitBridged(call, peer, 'confirmed');
  }

  /** ACK for our 2xx (its own transaction, RFC 3261 §13.3.1.4). */
  handleAck(ack: SipRequest): void {
    if (this.local.handleAck(ack)) return;
    const key = dialogIdOfIncoming(ack);
    const ref = key === null ? undefined : this.dialogs.get(key);
    if (!ref) return;
    const call = ref.call;
    if (ref.side === 0 && call.pendingAck) {
      const { leg } = call.pendingAck;
      call.pendingAck = undefined;
      if (leg.dialog) this.ack(leg, leg.dialog, ack.body);
    }
    if (ref.side === 1 && call.pendingPickerAnswer && ack.body.length > 0) this.answerCallerAfterPick(call, ack.body);
  }

  /** BYE, re-INVITE, UPDATE, INFO inside a bridged call: relay to the other side. */
  handleInDialog(tx: ServerTransaction): void {
    if (this.local.handleInDialog(tx)) return;
    const req = tx.request;
    const key = dialogIdOfIncoming(req);
    const ref = key === null ? undefined : this.dialogs.get(key);
    if (ref?.call.localAnswer) {
      if (!this.rejectStaleCSeq(tx, ref.call.localAnswer.caller)) this.localInDialog(tx, ref.call);
      return;
    }
    if (!ref || !ref.call.bridge) return void tx.reply(481, 'Call/Transaction Does Not Exist');
    const { call, side } = ref;
    const [me, other] = side === 0 ? call.bridge! : [call.bridge![1], call.bridge![0]];
    if (this.rejectStaleCSeq(tx, me)) return;
    if (req.method === 'BYE') {
      tx.reply(200, 'OK');
      this.send(createRequestInDialog(other.dialog, 'BYE'), other.dialog.flow);
      return this.endBridge(call, side);
    }
    if (req.method === 'INVITE' && req.body.length > 0) {
      me.held = isHoldSdp(req.body);
      this.emitLeg(call, me, 'confirmed');
    }
    this.relayInDialog(tx, other);
  }

  /** RFC 3261 §12.2.2: a CSeq not above the last one is refused with 500; true when refused. */
  private rejectStaleCSeq(tx: ServerTransaction, me: BridgedLeg): boolean {
    const cseq = getCSeq(tx.request)?.seq ?? 0;
    if (me.dialog.remoteSeq !== null && cseq <= me.dialog.remoteSeq && tx.request.method !== 'ACK') {
      tx.reply(500, 'CSeq Out Of Order');
      return true;
    }
    me.dialog.remoteSeq = cseq;
    return false;
  }

  private relayInDialog(tx: ServerTransaction, other: BridgedLeg): void {
    const req = tx.request;
    const out = createRequestInDialog(other.dialog, req.method, {
      headers: [['Contact', `<${this.deps.contactFor(other.dialog.flow ?? tx.flow)}>`], ...bodyHeaders(req)],
      body: req.body,
    });
    this.send(out, other.dialog.flow, {
      onResponse: (res) => {
        if (res.status < 200 && res.status !== 100) return;
        if (res.status === 100) return;
        if (req.method === 'INVITE' && res.status < 300) {
          const ack = createAckFor2xx(other.dialog, out);
          this.deps.stack.sendStateless(ack, other.dialog.flow ?? resolveTarget(ack)).catch(() => undefined);
        }
        tx.respond(createResponse(req, res.status, res.reason, {
          headers: [['Contact', `<${this.deps.contactFor(tx.flow)}>`], ...bodyHeaders(res)], body: res.body,
        }));
      },
      onTimeout: () => void tx.reply(408, 'Request Timeout'),
      onTransportError: () => void tx.reply(503, 'Service Unavailable'),
    });
  }

  private endBridge(call: Call, byeFrom: 0 | 1): void {
    const [a, b] = call.bridge!;
    this.emitLeg(call, a, 'terminated', byeFrom === 0 ? 'local-bye' : 'remote-bye');
    this.emitLeg(call, b, 'terminated', byeFrom === 1 ? 'local-bye' : 'remote-bye');
    if (call.inbound.state === 'confirmed') call.inbound.state = transitionInbound(call.inbound.state, byeFrom === 0 ? 'bye-received' : 'bye-sent');
    for (const f of call.forks) if (f.state === 'confirmed') f.state = transitionOutbound(f.state, byeFrom === 1 ? 'bye-received' : 'bye-sent');
    this.finish(call);
  }

  /** One side vanished (transport error / timeout in a bridged call): BYE the other side. */
  private hangUp(call: Call, lost: 0 | 1, event: TerminationEvent): void {
    const other = call.bridge![lost === 0 ? 1 : 0];
    this.send(createRequestInDialog(other.dialog, 'BYE'), other.dialog.flow);
    void event;
    this.endBridge(call, lost);
  }

  /* ------------------------------------------------------------ pickup */

  private pickupByReplaces(tx: ServerTransaction, picker: Device, text: string): void {
    const r = parseReplaces(text);
    if (r === null) return void tx.reply(400, 'Bad Replaces', { toTag: true });
    for (const call of this.calls.values()) {
      for (const f of call.forks) {
        if (!replacesMatches(r, { callId: callIdOf(f.invite), localTag: f.remoteTag, remoteTag: tagOf(f.invite.headers.get('from')) })) continue;
        // RFC 3891 §3: "If the Replaces header field matches a confirmed dialog, … early-only … MUST respond with a 486 Busy Here"
        if (isAnswered(call) || f.state === 'confirmed') return void tx.reply(486, 'Busy Here', { toTag: true });
        if (f.state === 'terminated' || call.ended) break;
        if (!cssReachesLine(this.deps.directory(), picker, call.target.line)) return void tx.reply(403, 'Pickup Not Allowed', { toTag: true });
        return this.pickUp(tx, picker, call, f);
      }
    }
    tx.reply(481, 'Call/Transaction Does Not Exist', { toTag: true });
  }

  private pickupLine(tx: ServerTransaction, picker: Device, line: string): void {
    for (const call of this.calls.values()) {
      if (call.target.line !== line || isAnswered(call) || call.ended) continue;
      const ringing = call.forks.find((f) => f.state === 'early');
      if (ringing || call.localForks.some((l) => !l.done)) return this.pickUp(tx, picker, call, ringing);
    }
    tx.reply(481, 'No Call To Pick Up', { toTag: true });
  }

  private pickUp(tx: ServerTransaction, picker: Device, call: Call, matched: OutboundLeg | undefined): void {
    for (const f of call.forks) this.cancelFork(f, f === matched ? 'replaced' : 'cancelled', COMPLETED_ELSEWHERE);
    this.localForks.endAll(call, 'answered-elsewhere');
    const app = this.callerAppearance(picker, tx.request);
    const dir = this.deps.directory();
    const pickerIdentity = this.callerIdentity(dir, picker, app, tx.request);
    const localTag = generateTag();
    const offer = call.inbound.invite;
    const toPicker = createResponse(tx.request, 200, 'OK', {
      toTag: localTag, headers: [['Contact', `<${this.deps.contactFor(tx.flow)}>`], ...bodyHeaders(offer)], body: offer.body,
    });
    tx.respond(toPicker);
    const dialog = createUasDialog(tx.request, toPicker, tx.flow);
    if (dialog === null) return this.deps.logger.warn('pickup INVITE without Contact', { call: call.id });
    const peer: BridgedLeg = { role: 'picker', appearance: app, dialog, lineDialogId: `${call.id}:p`, local: pickerIdentity, remote: call.inbound.identity, held: false };
    if (tx.request.body.length > 0) return this.answerCaller(call, peer, tx.request.body, bodyHeaders(tx.request));
    call.pendingPickerAnswer = peer;
    this.dialogs.set(incomingKey(dialog), { call, side: 1 });
  }

  private answerCallerAfterPick(call: Call, body: Buffer): void {
    const peer = call.pendingPickerAnswer!;
    call.pendingPickerAnswer = undefined;
    this.answerCaller(call, peer, body, [['Content-Type', 'application/sdp']]);
  }

  /** The caller's INVITE is answered with the picker's SDP (offer/answer passes through, Rule 2 of call-model). */
  private answerCaller(call: Call, peer: BridgedLeg, body: Buffer, headers: Array<[string, string]>): void {
    const answer = createResponse(call.inbound.invite, 200, 'OK', {
      toTag: call.inbound.localTag, headers: [['Contact', `<${this.deps.contactFor(call.inbound.tx.flow)}>`], ...headers], body,
    });
    call.inbound.tx.respond(answer);
    const callerDialog = createUasDialog(call.inbound.invite, answer, call.inbound.tx.flow);
    if (callerDialog === null) return;
    this.bridge(call, callerDialog, peer);
    this.moveInbound(call, 'answer');
  }

  /* ------------------------------------------------------------ state + events */

  private moveInbound(call: Call, input: InboundInput, event?: TerminationEvent): void {
    const before = call.inbound.state;
    call.inbound.state = transitionInbound(before, input);
    if (call.inbound.state !== before || input === 'reject') this.emitCaller(call, event);
  }

  private moveFork(call: Call, leg: OutboundLeg, input: OutboundInput, event?: TerminationEvent): void {
    leg.state = transitionOutbound(leg.state, input);
    const state = dialogStateOf(leg.state);
    if (leg.state === 'confirmed' && !call.bridge) return; // shown by bridge()
    if (leg.trunk || !calleeVisible(state, leg.shown)) return;
    leg.shown = state !== 'terminated';
    this.deps.submit(calleeEvent(leg.appearance, {
      id: `${call.id}:b${leg.n}`, callId: callIdOf(leg.invite), state,
      ...(leg.remoteTag ? { localTag: leg.remoteTag } : {}),
      remoteTag: tagOf(leg.invite.headers.get('from')),
      ...(event ? { terminationEvent: event } : {}),
      local: call.calleeIdentity, remote: call.inbound.identity,
    }));
  }

  private endFork(call: Call, leg: OutboundLeg, input: OutboundInput, event: TerminationEvent): void {
    if (leg.state === 'terminated') return;
    this.moveFork(call, leg, input, event);
  }

  private emitCaller(call: Call, event?: TerminationEvent): void {
    const st = dialogStateOf(call.inbound.state);
    this.deps.submit(callerEvent(call.inbound.appearance, {
      id: `${call.id}:a`, callId: callIdOf(call.inbound.invite), state: st,
      localTag: tagOf(call.inbound.invite.headers.get('from')), remoteTag: call.inbound.localTag,
      ...(event ? { terminationEvent: event } : {}),
      local: call.inbound.identity, remote: call.calleeIdentity,
    }));
  }

  private emitBridged(call: Call, peer: BridgedLeg, state: 'confirmed'): void {
    if (peer.role === 'callee') {
      const leg = call.forks.find((f) => `${call.id}:b${f.n}` === peer.lineDialogId);
      if (leg) leg.shown = true;
    }
    this.emitLeg(call, peer, state);
  }

  /** Events of a bridged leg; the caller side goes through emitCaller so ids stay one per appearance. */
  private emitLeg(call: Call, leg: BridgedLeg, state: 'confirmed' | 'terminated', event?: TerminationEvent): void {
    if (leg.role === 'trunk') return;
    const view = {
      id: leg.lineDialogId, callId: leg.dialog.callId, state,
      localTag: leg.dialog.remoteTag, remoteTag: leg.dialog.localTag,
      ...(event ? { terminationEvent: event } : {}),
      local: leg.local, remote: leg.remote, held: leg.held,
    };
    if (leg.role === 'caller') this.deps.submit(callerEvent(leg.appearance, view));
    else this.deps.submit(calleeEvent(leg.appearance, view));
  }

  private finish(call: Call): void {
    if (call.ended && !this.calls.has(call.id)) return;
    call.ended = true;
    for (const f of call.forks) if (f.state !== 'terminated' && f.state !== 'cancelling' && f.state !== 'confirmed') this.cancelFork(f, 'cancelled');
    this.localForks.endAll(call, 'cancelled');
    if (call.localAnswer) this.dialogs.delete(incomingKey(call.localAnswer.caller.dialog));
    if (call.forks.some((f) => f.state === 'cancelling' || (f.state !== 'terminated' && f.state !== 'confirmed'))) return;
    this.calls.delete(call.id);
    if (call.bridge) for (const leg of call.bridge) this.dialogs.delete(incomingKey(leg.dialog));
  }

  /** Ends every call (shutdown). */
  close(): void {
    this.local.close();
    for (const call of this.calls.values()) {
      if (call.bridge) {
        for (const leg of call.bridge) this.send(createRequestInDialog(leg.dialog, 'BYE'), leg.dialog.flow);
      } else if (call.localAnswer) {
        this.send(createRequestInDialog(call.localAnswer.caller.dialog, 'BYE'), call.localAnswer.caller.dialog.flow);
        endLocalLeg(call.localAnswer.leg, 'hung-up');
      } else if (call.inbound.state !== 'terminated') {
        call.inbound.tx.reply(503, 'Service Unavailable', { toTag: call.inbound.localTag });
        for (const f of call.forks) this.cancelFork(f, 'cancelled');
        this.localForks.endAll(call, 'cancelled');
      }
    }
    this.calls.clear();
    this.dialogs.clear();
  }

  private send(req: SipRequest, flow: Flow | undefined, delegate: ClientTransactionDelegate = {}, destination?: Destination) {
    const stack = this.deps.stack;
    try {
      if (flow && stack.transport.isFlowAlive(flow)) return stack.sendRequest(req, { flow, delegate });
      return stack.sendRequest(req, { destination: destination ?? resolveTarget(req), delegate });
    } catch (err) {
      this.deps.logger.warn('cannot send request', { method: req.method, uri: req.uri, err: String(err) });
      return undefined;
    }
  }
}

/** Answered already, by a SIP fork or picker (bridge) or by a local leg. */
function isAnswered(call: Call): boolean {
  return call.bridge !== undefined || call.localAnswer !== undefined;
}

function sameApp(a: AppearanceRef, b: AppearanceRef): boolean {
  return a.device === b.device && a.index === b.index;
}

function callIdOf(req: SipRequest): string {
  return req.headers.get('call-id') ?? '';
}

/** The key `dialogIdOfIncoming` yields for requests the peer sends in this dialog. */
function incomingKey(d: DialogState): string {
  return `${d.callId};${d.localTag};${d.remoteTag}`;
}
