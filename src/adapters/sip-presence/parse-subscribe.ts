/**
 * Reads a SUBSCRIBE into what the notifier needs (RFC 6665 §4.2.1 "Notifier SUBSCRIBE behavior"):
 * event package, Expires, remote target, and either the presentity (initial) or the dialog it
 * belongs to (refresh / un-subscribe). Peer errors come back as values with a status (style §7).
 *
 * Rule 1: an unknown package is 489 with `Allow-Events: dialog, presence` (RFC 6665 §8.3.1 / §4.2.1:
 *         "it MUST respond with a 489 (Bad Event)").
 * Rule 2: the presentity is the Request-URI user (RFC 6665 §4.1.2: the Request-URI names the
 *         resource), falling back to the To user; a user of dial-able digits at one of our own hosts
 *         or at the cluster domain is a DN, anything else is a URI the core resolves.
 * Rule 3: Expires that does not parse is 400; no Expires means the package default (§4.1.2.1).
 */
import {
  getCSeq, getContacts, getEvent, parseExpires, parseUri, tagOf, type SipRequest,
} from '../../sip/index.js';
import type { EventPackageName, PresentityRef } from '../../core/index.js';

export const ALLOW_EVENTS = 'dialog, presence';

/** Subscription dialog's package code: 0 dialog, 1 presence. */
export type EventCode = 0 | 1;

export interface SubscribeRejection {
  readonly kind: 'reject';
  readonly status: number;
  readonly reason?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

interface SubscribeCommon {
  readonly event: EventPackageName;
  readonly eventCode: EventCode;
  readonly eventId: string | undefined;
  readonly expires: number | undefined;
  /** the first Contact URI, undefined when none was sent */
  readonly contact: string | undefined;
  readonly cseq: number;
  /** Accept media types, lower case without parameters; undefined when absent */
  readonly accept: string[] | undefined;
}

export interface InitialSubscribe extends SubscribeCommon {
  readonly kind: 'initial';
  readonly target: PresentityRef;
}

export interface InDialogSubscribe extends SubscribeCommon {
  readonly kind: 'in-dialog';
  /** our tag, i.e. the subscription id */
  readonly localTag: string;
  readonly callId: string;
  readonly remoteTag: string | undefined;
}

export type ParsedSubscribe = SubscribeRejection | InitialSubscribe | InDialogSubscribe;

export interface ParseSubscribeOptions {
  /** hosts that mean "this gateway" (advertised host, listen addresses) plus the cluster domain */
  readonly localHosts: ReadonlySet<string>;
}

const DIGITS = /^[0-9*#+]{1,24}$/;

function reject(status: number, reason?: string, headers?: ReadonlyArray<readonly [string, string]>): SubscribeRejection {
  return { kind: 'reject', status, reason, headers };
}

/** Accept media types (the core picks the body type, e.g. cpim-pidf+xml for Cisco, blf-facts §1.1). */
function readAccept(req: SipRequest): string[] | undefined {
  const accept = req.headers.getAll('accept').map((a) => a.split(';')[0]!.trim().toLowerCase()).filter((a) => a);
  return accept.length > 0 ? accept : undefined;
}

/** Rule 2: the presentity named by the Request-URI (or To). */
export function readPresentity(req: SipRequest, opts: ParseSubscribeOptions): PresentityRef | undefined {
  let uri = parseUri(req.uri);
  if (uri === null || uri.user === undefined) {
    const toValue = req.headers.get('to');
    const m = toValue === undefined ? null : /<([^>]*)>|^\s*([^;\s]+)/.exec(toValue);
    uri = m === null ? null : parseUri((m[1] ?? m[2] ?? '').trim());
  }
  if (uri === null || uri.user === undefined || uri.scheme === 'tel') {
    if (uri?.scheme === 'tel' && uri.opaque) return { kind: 'dn', dn: uri.opaque.split(';')[0]!.replace(/[-.() ]/g, '') };
    return undefined;
  }
  let user: string;
  try {
    user = decodeURIComponent(uri.user);
  } catch {
    user = uri.user;
  }
  const host = uri.host.replace(/^\[|\]$/g, '').toLowerCase();
  if (DIGITS.test(user) && opts.localHosts.has(host)) return { kind: 'dn', dn: user };
  return { kind: 'uri', uri: `${uri.scheme}:${uri.user}@${uri.host}` };
}

export function parseSubscribe(req: SipRequest, opts: ParseSubscribeOptions): ParsedSubscribe {
  const cseq = getCSeq(req);
  const callId = req.headers.get('call-id');
  const from = req.headers.get('from');
  if (cseq === null || callId === undefined || from === undefined || !req.headers.has('to')) {
    return reject(400, 'Missing Mandatory Header');
  }
  const evHeader = req.headers.get('event');
  const ev = evHeader === undefined ? null : getEvent(req);
  if (ev === null || ev.templates.length > 0 || (ev.package !== 'dialog' && ev.package !== 'presence')) {
    return reject(489, 'Bad Event', [['Allow-Events', ALLOW_EVENTS]]);
  }
  // the literal, not the parsed substring: every subscription then shares one string
  const event: EventPackageName = ev.package === 'dialog' ? 'dialog' : 'presence';
  const eventCode: EventCode = event === 'dialog' ? 0 : 1;
  let expires: number | undefined;
  const expiresRaw = req.headers.get('expires');
  if (expiresRaw !== undefined) {
    const e = parseExpires(expiresRaw);
    if (e === null) return reject(400, 'Bad Expires');
    expires = e;
  }
  const contacts = getContacts(req);
  const contact = contacts.length > 0 ? contacts[0]!.uri : undefined;
  const common = { event, eventCode, eventId: ev.id, expires, contact, cseq: cseq.seq, accept: readAccept(req) };
  const localTag = tagOf(req.headers.get('to'));
  if (localTag !== undefined) {
    return { kind: 'in-dialog', ...common, localTag, callId, remoteTag: tagOf(from) };
  }
  // RFC 6665 §4.1.2: "SUBSCRIBE requests … MUST contain a Contact header field" (initial ones here).
  if (contact === undefined) return reject(400, 'Missing Contact');
  const target = readPresentity(req, opts);
  if (target === undefined) return reject(404, 'Not Found');
  return { kind: 'initial', ...common, target };
}
