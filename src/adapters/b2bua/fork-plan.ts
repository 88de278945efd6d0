/**
 * Which devices of a called line get a fork (issue 4 shared line, issue 5 SCCP): every registered
 * device of the line, SIP (one fork per registered contact) and local (one ring through the
 * `LocalEndpointPort`), for SIP and SCCP callers alike.
 *
 * Rule 1: the caller's own appearance never rings.
 * Rule 2: a busy device gets no fork; nothing registered → 480; every registered one busy → 486.
 */
import type { AppearanceRef, LocalEndpointPort } from '../../core/index.js';
import { sameApp } from './call-model.js';
import type { Binding } from './registrar-bindings.js';

export type ForkPlan =
  | { readonly kind: 'ring'; readonly sip: ReadonlyArray<{ readonly app: AppearanceRef; readonly b: Binding }>; readonly locals: readonly AppearanceRef[] }
  | { readonly kind: 'fail'; readonly status: 480 | 486; readonly reason: string };

export interface ForkPlanInputs {
  readonly appearances: readonly AppearanceRef[];
  readonly caller: AppearanceRef;
  readonly port: LocalEndpointPort | undefined;
  readonly contactsOf: (app: AppearanceRef) => readonly Binding[];
  /** a SIP appearance is at its busyTrigger */
  readonly sipBusy: (app: AppearanceRef) => boolean;
}

export function planLineForks(i: ForkPlanInputs): ForkPlan {
  const port = i.port;
  const apps = i.appearances.filter((a) => !sameApp(a, i.caller));
  const locals = port ? apps.filter((a) => port.serves(a.device)) : [];
  const sip = apps.filter((a) => !locals.includes(a)).flatMap((app) => i.contactsOf(app).map((b) => ({ app, b })));
  if (sip.length + locals.length === 0) return { kind: 'fail', status: 480, reason: 'Temporarily Unavailable' };
  const freeSip = sip.filter((c) => !i.sipBusy(c.app));
  const freeLocals = locals.filter((a) => !port!.busy(a.device));
  if (freeSip.length + freeLocals.length === 0) return { kind: 'fail', status: 486, reason: 'Busy Here' };
  return { kind: 'ring', sip: freeSip, locals: freeLocals };
}
