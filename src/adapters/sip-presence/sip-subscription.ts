/**
 * The notifier's SIP dialog of one subscription (RFC 6665 §4.2, RFC 3261 §12.1.1 UAS dialog), kept
 * compact: the core owns the subscription's meaning (target, expiry, version); this record keeps only
 * what a NOTIFY needs on the wire.
 *
 * Rule 1: every string the dialog needs lives in ONE flat string (`packed`), so a subscription costs
 *         one string header, and no substring keeps the whole received message alive (V8 sliced
 *         strings would): `packDialog` copies through a Buffer.
 * Rule 2: the flow is an interned object shared by every subscription on that flow (`FlowRegistry`).
 * Rule 3: the local tag (our To-tag: time-ordered, 88 random bits; `generateOrderedTag`) is the
 *         subscription id the core sees.
 * Rule 4: CSeq of our NOTIFYs only goes up, also across restarts (blf-facts §1.1 Polycom, SIP.js).
 * Rule 5: the core keeps this record as the subscription's handle (`SubscribeRequest.handle`), so no
 *         id map holds it here; once the dialog ends it is marked, and a late lookup that still
 *         finds it (the core forgets the subscription right after) treats it as gone.
 */
import { tagOf, type Flow, type SipRequest } from '../../sip/index.js';
import type { EventPackageName } from '../../core/index.js';

const SEP = '\n';

/** Index of each part inside `packed`. */
const Part = {
  CallId: 0,
  /** the SUBSCRIBE's From field, raw (carries the watcher's tag): our NOTIFY's To */
  Remote: 1,
  /** the SUBSCRIBE's To field, raw, without tag: our NOTIFY's From (plus our tag) */
  Local: 2,
  /** the watcher's Contact URI (remote target, RFC 3261 §12.1.1) */
  Target: 3,
  /** Record-Route values in order (UAS route set), joined with ', '; empty when none */
  Routes: 4,
} as const;

export class SipSubscription {
  constructor(
    /** our tag; also the core's subscriptionId */
    readonly id: string,
    public packed: string,
    public flow: Flow,
    /** CSeq of the last NOTIFY we sent */
    public localCseq: number,
    /** CSeq of the last SUBSCRIBE we accepted in this dialog */
    public remoteCseq: number,
    /** 0 = dialog, 1 = presence */
    eventCode: 0 | 1,
    /** RFC 6665 §8.2.1 Event `id` parameter, echoed in every NOTIFY */
    readonly eventId: string | undefined,
  ) {
    this.codes = eventCode;
  }

  /**
   * bit 0: presence (else dialog); bit 1: ended (Rule 5); bit 2: counted among the live dialogs;
   * bit 3: queued for saving (subscription-persistence.ts Rule 4)
   */
  private codes: number;

  get event(): EventPackageName {
    return (this.codes & 1) === 0 ? 'dialog' : 'presence';
  }

  /** Rule 5 */
  get ended(): boolean {
    return (this.codes & 2) !== 0;
  }

  /** Marks the dialog ended; returns whether it was counted as live. */
  end(): boolean {
    const counted = (this.codes & 4) !== 0;
    this.codes = (this.codes | 2) & ~4;
    return counted;
  }

  /** Counts the dialog as live (accepted or restored); false if it already was or has ended. */
  count(): boolean {
    if ((this.codes & 6) !== 0) return false;
    this.codes |= 4;
    return true;
  }

  /** Marks the dialog queued for saving; false if it already was. */
  queueForSaving(): boolean {
    if ((this.codes & 8) !== 0) return false;
    this.codes |= 8;
    return true;
  }

  /** Clears the queued-for-saving mark (the dialog is being saved). */
  takeFromSaving(): void {
    this.codes &= ~8;
  }

  part(i: number): string {
    let start = 0;
    for (let k = 0; k < i; k++) start = this.packed.indexOf(SEP, start) + 1;
    const end = this.packed.indexOf(SEP, start);
    return end < 0 ? this.packed.slice(start) : this.packed.slice(start, end);
  }

  get callId(): string {
    return this.part(Part.CallId);
  }

  get remoteTag(): string | undefined {
    return tagOf(this.part(Part.Remote));
  }

  get remoteTarget(): string {
    return this.part(Part.Target);
  }
}

/** A flat copy of a string (no reference into a larger parent string). */
function flatCopy(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}

/** Packs the dialog strings of an initial SUBSCRIBE (RFC 3261 §12.1.1: UAS dialog creation). */
export function packDialog(req: SipRequest, target: string): string {
  const h = req.headers;
  const routes = h.getAll('record-route').join(', ');
  const parts = [h.get('call-id') ?? '', h.get('from') ?? '', h.get('to') ?? '', target, routes];
  for (const p of parts) if (p.indexOf(SEP) >= 0) throw new Error('header value with a line feed reached the dialog');
  return flatCopy(parts.join(SEP));
}

/** Replaces the remote target after a target-refresh SUBSCRIBE (RFC 6665 §4.1.2.1 / RFC 3261 §12.2.2). */
export function withRemoteTarget(packed: string, target: string): string {
  const parts = packed.split(SEP);
  if (parts[Part.Target] === target) return packed;
  parts[Part.Target] = target;
  return flatCopy(parts.join(SEP));
}

/** Everything a NOTIFY needs beyond the dialog. */
export interface NotifyContent {
  /** `active;expires=N` / `terminated;reason=R`, already formatted */
  readonly subscriptionState: string;
  readonly contentType?: string;
  readonly body?: string;
  /** UTF-8 length of `body` when known (a shared template's), so the body is not read to count it */
  readonly bodyBytes?: number;
  /** our Contact URI for this flow's transport */
  readonly contact: string;
}

/**
 * One NOTIFY of a dialog, fixed when it is first sent: its text can be built again, byte for byte.
 * Flat (the content's fields copied in): a fan-out keeps one per watcher until the watcher answers.
 */
export class NotifyInDialog implements NotifyContent {
  /** the dialog strings as they were (a later target refresh does not change this NOTIFY) */
  readonly packed: string;
  readonly cseq: number;
  readonly subscriptionState: string;
  readonly contentType: string | undefined;
  readonly body: string | undefined;
  readonly bodyBytes: number | undefined;
  readonly contact: string;

  /** Takes the dialog's next CSeq (Rule 4) for a NOTIFY with `content`. */
  constructor(readonly sub: SipSubscription, content: NotifyContent) {
    sub.localCseq += 1;
    this.packed = sub.packed;
    this.cseq = sub.localCseq;
    this.subscriptionState = content.subscriptionState;
    this.contentType = content.contentType;
    this.body = content.body;
    this.bodyBytes = content.bodyBytes;
    this.contact = content.contact;
  }
}

/**
 * The NOTIFY as wire text (RFC 6665 §4.2.2; RFC 3261 §12.2.1.1: Request-URI = remote target, route
 * set as Route, our tag in From), starting with `via` (the stack's top Via for the flow). Built as
 * one string, not a `SipRequest`: a fan-out sends thousands, and the stack sends these bytes as they
 * are (`SipStack.sendPrepared`), building them again for a retransmission.
 * Every value comes from a SUBSCRIBE the parser accepted, so none holds CR or LF.
 */
export function notifyWire(n: NotifyInDialog, via: string): string {
  const { sub } = n;
  // the parts by position, without an array of them (a fan-out builds thousands; Part's order)
  const p = n.packed;
  const a = p.indexOf(SEP);
  const b = p.indexOf(SEP, a + 1);
  const c = p.indexOf(SEP, b + 1);
  const d = p.indexOf(SEP, c + 1);
  const routes = d + 1 < p.length ? `Route: ${p.slice(d + 1)}\r\n` : '';
  const body = n.body ?? '';
  const event = sub.eventId === undefined ? sub.event : `${sub.event};id=${sub.eventId}`;
  const contentType = n.contentType !== undefined ? `Content-Type: ${n.contentType}\r\n` : '';
  return `NOTIFY ${p.slice(c + 1, d)} SIP/2.0\r\nVia: ${via}\r\n${routes}Max-Forwards: 70\r\n`
    + `From: ${p.slice(b + 1, c)};tag=${sub.id}\r\nTo: ${p.slice(a + 1, b)}\r\nCall-ID: ${p.slice(0, a)}\r\n`
    + `CSeq: ${n.cseq} NOTIFY\r\nContact: <${n.contact}>\r\nEvent: ${event}\r\nSubscription-State: ${n.subscriptionState}\r\n`
    + `${contentType}Content-Length: ${n.bodyBytes ?? Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`;
}

/** The persisted form of a subscription's dialog (JSON-safe). */
export interface StoredDialog {
  readonly packed: string;
  readonly flow: Flow;
  readonly localCseq: number;
  readonly remoteCseq: number;
  readonly event: EventPackageName;
  readonly eventId?: string;
}

export function dialogToStored(sub: SipSubscription): StoredDialog {
  const flow: Flow = { transport: sub.flow.transport, local: { ...sub.flow.local }, remote: { ...sub.flow.remote } };
  if (sub.flow.connectionId !== undefined) flow.connectionId = sub.flow.connectionId;
  const out: StoredDialog = { packed: sub.packed, flow, localCseq: sub.localCseq, remoteCseq: sub.remoteCseq, event: sub.event };
  return sub.eventId === undefined ? out : { ...out, eventId: sub.eventId };
}

/**
 * Restores a stored dialog. Connections do not survive a restart, so the connection id is dropped
 * (a stream NOTIFY then opens a new connection to the flow's remote address).
 */
export function dialogFromStored(id: string, s: StoredDialog, internFlow: (f: Flow) => Flow): SipSubscription {
  const flow: Flow = { transport: s.flow.transport, local: s.flow.local, remote: s.flow.remote };
  return new SipSubscription(id, flatCopy(s.packed), internFlow(flow), s.localCseq, s.remoteCseq,
    s.event === 'presence' ? 1 : 0, s.eventId);
}
