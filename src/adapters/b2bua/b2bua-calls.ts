/**
 * B2BUA calls on the line side (RFC 3261 §13-§15 as UAS toward the caller and UACs toward each fork),
 * with BLF pickup (RFC 3891 Replaces; Cisco `x-cisco-serviceuri-blfpickup-<DN>`). This file takes
 * the INVITE, opens the call and ends it; the legs live in sip-forks.ts, local-forks.ts,
 * call-bridge.ts and call-pickup.ts, sharing one CallContext (call-context.ts).
 *
 * Rule 1: a new INVITE comes from an authenticated device; its calling CSS resolves the target
 *         (call-routing.ts): DN → fork to every registered device of the line (fork-plan.ts);
 *         none found → 404; route pattern → `routeToTrunk` seam (unset → 503); the trunk wiring
 *         answers it with `routeCallToTrunk`: one UAC leg to the trunk's destination, bridged like a
 *         fork but with no callee appearance of ours (no CallEvents for that side).
 * Rule 2: every leg change goes through the leg FSM tables, then emits the CallEvents the BLF needs
 *         (call-events.ts); the engine sees exactly one event per visible change.
 * Rule 3: the first answer wins; the other forks are CANCELled (RFC 3326 Reason "Call completed
 *         elsewhere"); a 2xx that races a CANCEL is ACKed and BYEd.
 * Rule 4: busy: an appearance whose active calls reach its busyTrigger gets no fork; when every
 *         registered device is busy → 486; when none is registered → 480.
 * Rule 5: a shared line rings every registered device of it, SIP and SCCP alike: appearances of
 *         devices registered over a `LocalEndpointPort` get a local fork (local-forks.ts) beside the
 *         SIP forks; busy and first-answer-wins (Rules 3-4) span both kinds; the caller's own
 *         appearance never rings. Calls local endpoints place go through LocalEndpointCalls (issue 5).
 */
import {
  createRequestInDialog, dialogIdOfIncoming, generateTag, parseUri, resolveTarget, tagOf,
  type ClientTransactionDelegate, type Destination, type Flow, type ServerTransaction, type SipRequest,
} from '../../sip/index.js';
import type {
  AppearanceRef, CallLegControl, CallLegListener, Device, Directory, Identity, LocalCallRequest, LocalEndpointPort,
} from '../../core/index.js';
import { LocalEndpointCalls } from './local-endpoint-calls.js';
import { callerAppearance, callerIdentity, resolveCallTarget, type CallTarget } from './call-routing.js';
import {
  COMPLETED_ELSEWHERE, NO_APPEARANCE, finalStatusOf, incomingKey, isAnswered, sameApp,
  type Call, type LocalLeg, type OutboundLeg, type TrunkLegTarget,
} from './call-model.js';
import type { CallContext, CallsDeps, LegRef, RouteToTrunk } from './call-context.js';
import { CallEvents } from './call-events.js';
import { planLineForks } from './fork-plan.js';
import { SipForks } from './sip-forks.js';
import { LocalForks, endLocalLeg } from './local-forks.js';
import { CallBridge } from './call-bridge.js';
import { CallPickup } from './call-pickup.js';

export class B2buaCalls {
  private readonly calls = new Map<string, Call>();
  private readonly dialogs = new Map<string, LegRef>();
  private seq = 0;
  private readonly events: CallEvents;
  private readonly sipForks: SipForks;
  private readonly localForks: LocalForks;
  private readonly bridges: CallBridge;
  private readonly pickup: CallPickup;
  /** Rule 5 */
  private readonly local: LocalEndpointCalls;
  private port: LocalEndpointPort | undefined;

  constructor(private readonly deps: CallsDeps) {
    this.events = new CallEvents(deps.submit);
    const ctx = this.context();
    this.sipForks = new SipForks(ctx);
    this.localForks = new LocalForks(ctx);
    this.bridges = new CallBridge(ctx);
    this.pickup = new CallPickup(ctx);
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
    if (replaces !== undefined) return this.pickup.byReplaces(tx, caller, replaces);
    const target = resolveCallTarget(dir, caller, req.uri);
    switch (target.kind) {
      case 'none':
        return void tx.reply(404, 'Not Found', { toTag: true });
      case 'route':
        if (this.deps.routeToTrunk?.(tx, target, caller)) return;
        return void tx.reply(503, 'Service Unavailable', { toTag: true, headers: [['Retry-After', '60']] });
      case 'pickup':
        return this.pickup.ofLine(tx, caller, target.line);
      case 'line':
        return this.startCall(tx, caller, target, dir);
    }
  }

  /** Issue 6: a route-pattern call goes out the trunk as one leg (Rule 1). */
  routeCallToTrunk(tx: ServerTransaction, caller: Device, out: TrunkLegTarget): void {
    const dn = parseUri(out.requestUri)?.user ?? out.requestUri;
    const call = this.openCall(tx, caller, this.deps.directory(), { line: '', dn }, { uri: out.requestUri });
    this.sipForks.fork(call, NO_APPEARANCE, undefined, 1, out);
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
      if (leg.dialog) this.sipForks.ack(leg, leg.dialog, ack.body);
    }
    if (ref.side === 1 && call.pendingPickerAnswer && ack.body.length > 0) this.pickup.answerAfterAck(call, ack.body);
  }

  /** BYE, re-INVITE, UPDATE, INFO inside an answered call. */
  handleInDialog(tx: ServerTransaction): void {
    if (this.local.handleInDialog(tx)) return;
    const key = dialogIdOfIncoming(tx.request);
    const ref = key === null ? undefined : this.dialogs.get(key);
    if (ref?.call.localAnswer) return this.localForks.inDialog(tx, ref.call);
    if (!ref || !ref.call.bridge) return void tx.reply(481, 'Call/Transaction Does Not Exist');
    this.bridges.inDialog(tx, ref);
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
        this.endForks(call, 'cancelled');
      }
    }
    this.calls.clear();
    this.dialogs.clear();
  }

  /** What the parts share (call-context.ts Rule 1). */
  private context(): CallContext {
    return {
      deps: this.deps, calls: this.calls, dialogs: this.dialogs, events: this.events,
      send: (req, flow, delegate, destination) => this.send(req, flow, delegate, destination),
      endForks: (call, why, keep, replaced) => this.endForks(call, why, keep, replaced),
      relayRinging: (call, status, reason, early) => this.sipForks.relayRinging(call, status, reason, early),
      bridge: (call, callerDialog, peer) => this.bridges.bridge(call, callerDialog, peer),
      hangUp: (call, lost) => this.bridges.hangUp(call, lost),
      maybeFailCall: (call) => this.maybeFailCall(call),
      finish: (call) => this.finish(call),
    };
  }

  /** Rules 4-5: fork to every free registered device of the line, SIP and local. */
  private startCall(tx: ServerTransaction, caller: Device, target: Extract<CallTarget, { kind: 'line' }>, dir: Directory): void {
    const now = this.deps.now();
    const port = this.port;
    const plan = planLineForks({
      appearances: target.appearances, caller: callerAppearance(caller, tx.request), port,
      contactsOf: (app) => this.contactsFor(dir, app, now), sipBusy: (app) => this.isBusy(dir, app),
    });
    if (plan.kind === 'fail') return void tx.reply(plan.status, plan.reason, { toTag: true });
    const line = dir.lines.get(target.line);
    const call = this.openCall(tx, caller, dir, { line: target.line, dn: target.dn },
      { uri: `sip:${target.dn}@${dir.params.domain}`, ...(line?.alertingName ? { display: line.alertingName } : {}) });
    plan.sip.forEach((c, i) => this.sipForks.fork(call, c.app, c.b, i + 1));
    for (const app of plan.locals) if (!isAnswered(call) && !call.ended) this.localForks.ring(port!, call, app);
  }

  /** The caller's side of a new call: 100 Trying, CANCEL watch, first CallEvent. */
  private openCall(tx: ServerTransaction, caller: Device, dir: Directory, target: Call['target'], callee: Identity): Call {
    const app = callerAppearance(caller, tx.request);
    const call: Call = {
      id: `c${++this.seq}`,
      target,
      calleeIdentity: callee,
      inbound: { tx, invite: tx.request, appearance: app, device: caller.name, localTag: generateTag(), identity: callerIdentity(dir, caller, app, tx.request), state: 'trying' },
      forks: [],
      localForks: [],
      earlySdpSent: false,
      ended: false,
    };
    this.calls.set(call.id, call);
    tx.delegate = { onCancel: () => this.callerCancelled(call), onTerminated: () => undefined };
    tx.reply(100, 'Trying');
    this.events.emitCaller(call);
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

  /** CallContext.endForks. */
  private endForks(call: Call, why: 'cancelled' | 'elsewhere', keep?: OutboundLeg | LocalLeg, replaced?: OutboundLeg): void {
    const header = why === 'elsewhere' ? COMPLETED_ELSEWHERE : undefined;
    for (const f of call.forks) if (f !== keep) this.sipForks.cancel(f, f === replaced ? 'replaced' : 'cancelled', header);
    this.localForks.endAll(call, why === 'elsewhere' ? 'answered-elsewhere' : 'cancelled', keep as LocalLeg | undefined);
  }

  private maybeFailCall(call: Call): void {
    if (call.ended) return this.finish(call); // the last cancelled fork of a finished call is over: drop it
    if (isAnswered(call) || call.forks.some((f) => f.state !== 'terminated') || call.localForks.some((l) => !l.done)) return;
    if (call.inbound.state === 'terminated') return this.finish(call);
    const status = finalStatusOf([...call.forks, ...call.localForks].map((f) => f.lastStatus ?? 480));
    call.inbound.tx.reply(status, undefined, { toTag: call.inbound.localTag });
    this.events.moveInbound(call, 'reject', 'rejected');
    this.finish(call);
  }

  private callerCancelled(call: Call): void {
    if (isAnswered(call) || call.inbound.state === 'terminated') return;
    call.inbound.tx.reply(487, 'Request Terminated', { toTag: call.inbound.localTag });
    this.events.moveInbound(call, 'reject', 'cancelled');
    this.endForks(call, 'cancelled');
    if (call.forks.every((f) => f.state === 'terminated')) this.finish(call);
  }

  private finish(call: Call): void {
    if (call.ended && !this.calls.has(call.id)) return;
    call.ended = true;
    this.endForks(call, 'cancelled');
    if (call.localAnswer) this.dialogs.delete(incomingKey(call.localAnswer.caller.dialog));
    if (call.forks.some((f) => f.state === 'cancelling' || (f.state !== 'terminated' && f.state !== 'confirmed'))) return;
    this.calls.delete(call.id);
    if (call.bridge) for (const leg of call.bridge) this.dialogs.delete(incomingKey(leg.dialog));
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
