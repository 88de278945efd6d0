/**
 * What a REGISTER asks for, decided before anything changes (RFC 3261 §10.3 steps 3-8), as a value.
 *
 * Rule 1: the AOR is the To URI; its user must be a DN on one of the authenticated device's lines
 *         (CUCM: a phone registers its own lines only) → else 403.
 * Rule 2: per contact, expiry = contact `expires` param, else the Expires header, else the
 *         default; "If … the expiration interval … is less than [the minimum] … the registrar MAY
 *         reject the registration with a response of 423 (Interval Too Brief)" with Min-Expires
 *         (§10.3 step 7); above the maximum it is shortened to the maximum.
 * Rule 3: `Contact: *` is legal only alone and with `Expires: 0` (§10.3 step 6) → else 400.
 * Rule 4: no Contact at all is a query: answer the current bindings (§10.2.3).
 */
import { getContacts, getExpires, parseExpires, parseUri, type SipRequest } from '../../sip/index.js';
import type { Device, ServiceParameters } from '../../core/index.js';
import type { ContactUpdate } from './registrar-bindings.js';

export type RegisterPlan =
  | { readonly kind: 'reject'; readonly status: number; readonly reason?: string; readonly headers?: ReadonlyArray<readonly [string, string]> }
  | { readonly kind: 'update'; readonly dn: string; readonly updates: readonly ContactUpdate[] }
  | { readonly kind: 'remove-all'; readonly dn: string }
  | { readonly kind: 'query'; readonly dn: string };

type ExpiryParams = Pick<ServiceParameters, 'registerDefaultExpires' | 'registerMinExpires' | 'registerMaxExpires'>;

/** The DN a REGISTER's To names, or undefined when it is not a SIP URI with a user part. */
export function aorDn(req: SipRequest): string | undefined {
  const to = req.headers.get('to');
  const m = to === undefined ? null : /<([^>]+)>|^\s*([^;\s]+)/.exec(to);
  const uri = m ? parseUri((m[1] ?? m[2])!) : null;
  return uri?.user === undefined ? undefined : decodeURIComponent(uri.user);
}

function expiryOf(param: string | null | undefined, header: number | null, params: ExpiryParams): number | null {
  if (param !== undefined && param !== null) return parseExpires(param);
  return header ?? params.registerDefaultExpires;
}

/** Decides a REGISTER for an authenticated device (Rules 1-4). */
export function planRegister(req: SipRequest, device: Device, params: ExpiryParams): RegisterPlan {
  const dn = aorDn(req);
  if (dn === undefined) return { kind: 'reject', status: 400, reason: 'Bad To' };
  if (!device.lines.some((l) => l.dn === dn)) return { kind: 'reject', status: 403, reason: `Line ${dn} Not On Device` };
  const rawContacts = req.headers.getAll('contact');
  const header = getExpires(req);
  if (req.headers.has('expires') && header === null) return { kind: 'reject', status: 400, reason: 'Bad Expires' };
  if (rawContacts.length === 0) return { kind: 'query', dn };
  if (rawContacts.some((c) => c.trim() === '*')) {
    if (rawContacts.length !== 1 || header !== 0) return { kind: 'reject', status: 400, reason: 'Bad Wildcard Contact' };
    return { kind: 'remove-all', dn };
  }
  const contacts = getContacts(req);
  if (contacts.length !== rawContacts.length) return { kind: 'reject', status: 400, reason: 'Bad Contact' };
  const updates: ContactUpdate[] = [];
  for (const c of contacts) {
    const asked = expiryOf(c.params.get('expires'), header, params);
    if (asked === null) return { kind: 'reject', status: 400, reason: 'Bad Contact Expires' };
    if (asked > 0 && asked < params.registerMinExpires) {
      return { kind: 'reject', status: 423, headers: [['Min-Expires', String(params.registerMinExpires)]] };
    }
    const instance = c.params.get('+sip.instance');
    updates.push({
      contact: c.uri,
      expires: Math.min(asked, params.registerMaxExpires),
      ...(instance ? { instance } : {}),
    });
  }
  return { kind: 'update', dn, updates };
}
