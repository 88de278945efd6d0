/**
 * The registrar (RFC 3261 §10.3) on top of `RegistrarBindings`: authenticates the device, plans the
 * REGISTER (`planRegister`), applies it, answers 200 with the AOR's bindings, and reports every
 * device that gains its first or loses its last contact as a `RegistrationChanged` input, so BLF
 * moves at once (issue 4: "a registration change moves the BLF state at once").
 *
 * Rule 1: one timer slot: armed at the earliest binding expiry, re-armed after each change.
 * Rule 2: a closed TCP/TLS/WS connection drops the RFC 5626 bindings (with `+sip.instance`) that
 *         came over it (the flow is gone); other bindings live until they expire.
 */
import {
  createResponse, getCallId, getCSeq, type Clock, type Flow, type ServerTransaction, type TimerHandle,
} from '../../sip/index.js';
import type { Directory, RegistrationChanged } from '../../core/index.js';
import { RegistrarBindings, type Binding, type RegistrationTransition } from './registrar-bindings.js';
import { planRegister } from './register-plan.js';
import type { DeviceAuthenticator } from './device-auth.js';

export interface RegistrarDeps {
  readonly directory: () => Directory;
  readonly auth: DeviceAuthenticator;
  readonly clock: Clock;
  /** wall-clock ms (binding expiry is absolute) */
  readonly now: () => number;
  /** the engine input sink */
  readonly submit: (input: RegistrationChanged) => void;
}

export class Registrar {
  readonly bindings = new RegistrarBindings();
  private timer: TimerHandle | undefined;

  constructor(private readonly deps: RegistrarDeps) {}

  /** Handles one REGISTER server transaction. */
  handle(tx: ServerTransaction): void {
    const req = tx.request;
    const auth = this.deps.auth.authenticate(req);
    if (!auth.ok) return void tx.respond(auth.response);
    const dir = this.deps.directory();
    const plan = planRegister(req, auth.device, dir.params);
    const callId = getCallId(req) ?? '';
    const cseq = getCSeq(req)?.seq ?? 0;
    const now = this.deps.now();
    let bindings: readonly Binding[];
    switch (plan.kind) {
      case 'reject':
        tx.reply(plan.status, plan.reason, { toTag: true, headers: plan.headers });
        return;
      case 'query':
        bindings = this.bindings.contactsOf(auth.device.name, plan.dn, now);
        break;
      case 'remove-all': {
        const r = this.bindings.removeAll(auth.device.name, plan.dn, { callId, cseq });
        this.report(r.transitions);
        bindings = r.bindings;
        break;
      }
      case 'update': {
        const r = this.bindings.apply(auth.device.name, plan.dn, { callId, cseq, flow: tx.flow }, plan.updates, now);
        this.report(r.transitions);
        bindings = r.bindings;
        break;
      }
    }
    const headers: Array<[string, string]> = bindings.map((b) => ['Contact', `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`]);
    headers.push(['Date', new Date(now).toUTCString()]);
    tx.respond(createResponse(req, 200, 'OK', { toTag: true, headers }));
    this.arm();
  }

  /** Rule 2. */
  flowClosed(flow: Flow): void {
    this.report(this.bindings.dropFlow(flow));
    this.arm();
  }

  close(): void {
    if (this.timer) this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private report(transitions: readonly RegistrationTransition[]): void {
    for (const t of transitions) this.deps.submit({ type: 'registration', device: t.device, registered: t.registered });
  }

  /** Rule 1. */
  private arm(): void {
    if (this.timer) this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    const next = this.bindings.nextExpiry();
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.deps.now()), 0x7fffffff);
    this.timer = this.deps.clock.setTimer(delay + 5, () => {
      this.timer = undefined;
      this.report(this.bindings.expire(this.deps.now()));
      this.arm();
    });
  }
}
