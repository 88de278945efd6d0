/**
 * Registrar binding table (RFC 3261 §10.3): per device and line AOR (`sip:DN@domain`), the contacts
 * a phone registered, with their expiry and the flow (connection) they came on (RFC 5626 §3.1), so a
 * TCP/WS phone is reached over its own connection.
 *
 * Rule 1: a binding is named by device + DN + contact URI; a new REGISTER for the same contact
 *         replaces it (same Call-ID needs a higher CSeq: RFC 3261 §10.3 step 7).
 * Rule 2: a device is registered while it holds at least one binding on any of its lines; every
 *         change that crosses 0 ↔ 1 yields exactly one `RegistrationTransition` (the engine input).
 * Rule 3: no clock here: callers pass `now` (ms); `expire(now)` drops what ran out.
 */
import type { Flow } from '../../sip/index.js';

export interface Binding {
  readonly device: string;
  readonly dn: string;
  /** contact URI as registered (raw) */
  readonly contact: string;
  /** absolute expiry, ms since epoch */
  readonly expiresAt: number;
  readonly callId: string;
  readonly cseq: number;
  readonly flow: Flow;
  /** RFC 5626 `+sip.instance`, when the phone sent one */
  readonly instance?: string;
}

/** One contact change asked by a REGISTER: expires 0 removes. */
export interface ContactUpdate {
  readonly contact: string;
  /** seconds, already clamped by the expiry policy */
  readonly expires: number;
  readonly instance?: string;
}

export interface RegistrationTransition {
  readonly device: string;
  readonly registered: boolean;
}

export interface ApplyResult {
  /** the AOR's bindings after the update (for the 200 OK Contact list) */
  readonly bindings: readonly Binding[];
  readonly transitions: readonly RegistrationTransition[];
}

function aorKey(device: string, dn: string): string {
  return `${device}\u0000${dn}`;
}

export class RegistrarBindings {
  /** aor key → contact URI → binding */
  private readonly byAor = new Map<string, Map<string, Binding>>();
  /** device → number of live bindings */
  private readonly counts = new Map<string, number>();

  /** Applies one REGISTER's contact list for one device line (Rule 1, Rule 2). */
  apply(
    device: string,
    dn: string,
    request: { readonly callId: string; readonly cseq: number; readonly flow: Flow },
    updates: readonly ContactUpdate[],
    now: number,
  ): ApplyResult {
    const before = this.countOf(device);
    const key = aorKey(device, dn);
    const map = this.byAor.get(key) ?? new Map<string, Binding>();
    for (const u of updates) {
      const old = map.get(u.contact);
      // RFC 3261 §10.3 step 7: "If the Call-ID is the same but the CSeq is lower or equal, the registrar
      // MUST NOT update the binding" (a stale or reordered REGISTER).
      if (old && old.callId === request.callId && old.cseq >= request.cseq) continue;
      if (u.expires === 0) {
        if (old) map.delete(u.contact);
        continue;
      }
      map.set(u.contact, {
        device, dn, contact: u.contact, expiresAt: now + u.expires * 1000,
        callId: request.callId, cseq: request.cseq, flow: request.flow,
        ...(u.instance !== undefined ? { instance: u.instance } : {}),
      });
    }
    this.store(key, map);
    this.recount(device);
    return { bindings: [...map.values()], transitions: this.transition(device, before) };
  }

  /** `Contact: *` with `Expires: 0` (RFC 3261 §10.2.2): removes every binding of the AOR. */
  removeAll(device: string, dn: string, request: { readonly callId: string; readonly cseq: number }): ApplyResult {
    const before = this.countOf(device);
    const key = aorKey(device, dn);
    const map = this.byAor.get(key) ?? new Map<string, Binding>();
    for (const [contact, b] of map) {
      if (b.callId === request.callId && b.cseq >= request.cseq) continue;
      map.delete(contact);
    }
    this.store(key, map);
    this.recount(device);
    return { bindings: [...map.values()], transitions: this.transition(device, before) };
  }

  /** Drops expired bindings (Rule 3). */
  expire(now: number): RegistrationTransition[] {
    const touched = new Map<string, number>();
    for (const [key, map] of this.byAor) {
      for (const [contact, b] of map) {
        if (b.expiresAt > now) continue;
        if (!touched.has(b.device)) touched.set(b.device, this.countOf(b.device));
        map.delete(contact);
      }
      this.store(key, map);
    }
    const out: RegistrationTransition[] = [];
    for (const [device, before] of touched) {
      this.recount(device);
      out.push(...this.transition(device, before));
    }
    return out;
  }

  /**
   * Drops the RFC 5626 (outbound, `+sip.instance`) bindings that came over a closed connection flow;
   * plain RFC 3261 bindings stay until they expire and are reached at their Contact instead.
   */
  dropFlow(flow: Flow): RegistrationTransition[] {
    if (flow.connectionId === undefined) return [];
    const out: RegistrationTransition[] = [];
    for (const [key, map] of [...this.byAor]) {
      for (const [contact, b] of map) {
        if (b.instance === undefined || b.flow.transport !== flow.transport || b.flow.connectionId !== flow.connectionId) continue;
        const before = this.countOf(b.device);
        map.delete(contact);
        this.store(key, map);
        this.recount(b.device);
        out.push(...this.transition(b.device, before));
      }
    }
    return out;
  }

  /** Live bindings of one device line (contacts to fork an INVITE to). */
  contactsOf(device: string, dn: string, now?: number): Binding[] {
    const all = [...(this.byAor.get(aorKey(device, dn))?.values() ?? [])];
    return now === undefined ? all : all.filter((b) => b.expiresAt > now);
  }

  isRegistered(device: string): boolean {
    return this.countOf(device) > 0;
  }

  /** Registered device names (sorted). */
  registeredDevices(): string[] {
    return [...this.counts.keys()].sort();
  }

  /** Earliest expiry, for the one timer the adapter arms. */
  nextExpiry(): number | undefined {
    let min: number | undefined;
    for (const map of this.byAor.values()) for (const b of map.values()) if (min === undefined || b.expiresAt < min) min = b.expiresAt;
    return min;
  }

  private countOf(device: string): number {
    return this.counts.get(device) ?? 0;
  }

  private store(key: string, map: Map<string, Binding>): void {
    if (map.size === 0) this.byAor.delete(key);
    else this.byAor.set(key, map);
  }

  private recount(device: string): void {
    let n = 0;
    const prefix = `${device}\u0000`;
    for (const [key, map] of this.byAor) if (key.startsWith(prefix)) n += map.size;
    if (n === 0) this.counts.delete(device);
    else this.counts.set(device, n);
  }

  private transition(device: string, before: number): RegistrationTransition[] {
    const after = this.countOf(device);
    if (before === 0 && after > 0) return [{ device, registered: true }];
    if (before > 0 && after === 0) return [{ device, registered: false }];
    return [];
  }
}
