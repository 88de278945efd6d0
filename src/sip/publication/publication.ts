/**
 * One RFC 3903 publication (one presentity × one event package): the entity-tag lifecycle of an
 * Event Publication Agent, driven by `now` (ms since the epoch) and producing `PublishOperation`s.
 *
 * Rule 1: one timer slot (`deadline`): coalesce, refresh or backoff — the state says which.
 * Rule 2: `poll(now)` is the only way an operation comes out; `receive()` / `timeout()` feed the
 *         answer of the operation in flight (answers to an older `seq` are ignored).
 * Rule 3: operations follow RFC 3903 §4.3–§4.6 (blf-facts §4.3): initial = body, no SIP-If-Match;
 *         refresh = SIP-If-Match, no body; modify = SIP-If-Match + body; remove = SIP-If-Match,
 *         Expires 0.
 * Rule 4: no I/O and no clock: the caller sends, sleeps until `deadline` and persists `toRecord()`.
 */
import { transitionPublication, type PublicationAction, type PublicationEvent, type PublicationState } from './publication-table.js';

export type PublishKind = 'initial' | 'refresh' | 'modify' | 'remove';

/** A body to publish (PIDF, dialog-info …). Compared by text to detect a change. */
export interface PublicationBody {
  readonly contentType: string;
  readonly text: string;
}

/** A PUBLISH to send, as data (`createPublishRequest` turns it into a SIP request). */
export interface PublishOperation {
  /** increases per operation; pass it back with the answer */
  readonly seq: number;
  readonly kind: PublishKind;
  /** SIP-If-Match (absent for initial) */
  readonly ifMatch?: string;
  /** Expires, seconds (0 for remove) */
  readonly expires: number;
  /** present for initial and modify */
  readonly body?: PublicationBody;
}

/** What the ESC answered (from `readPublishResponse`), or a local failure as 408 / 503. */
export interface PublishAnswer {
  readonly status: number;
  /** SIP-ETag of a 2xx */
  readonly etag?: string;
  /** Expires of a 2xx, seconds */
  readonly expires?: number;
  /** Min-Expires of a 423, seconds */
  readonly minExpires?: number;
  /** Retry-After of a 503 / 5xx, seconds */
  readonly retryAfter?: number;
}

export interface PublicationOptions {
  /** Expires asked for, seconds (presence default 3600) */
  readonly expires: number;
  /** rapid changes within this window go out as one modify (default 100 ms) */
  readonly coalesceMs?: number;
  /** refresh this long before the entity-tag expires (default 30 s; never before half-life) */
  readonly refreshMarginMs?: number;
  /** first retry delay after a failure (default 1 s), doubled per failure up to `backoffMaxMs` */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** [0,1) source for ±20 % backoff jitter (default Math.random) */
  readonly random?: () => number;
}

/** What survives a restart (`SqliteRuntimeStore.savePublication`). */
export interface PublicationRecord {
  readonly etag: string;
  /** ms since the epoch */
  readonly expiresAt: number;
  readonly expires: number;
  readonly body: PublicationBody;
}

export class Publication {
  state: PublicationState = 'idle';
  /** the entity-tag the ESC gave us last (RFC 3903 §6: a new one after every success) */
  etag?: string;
  /** when `etag` expires, ms since the epoch */
  expiresAt?: number;
  /** the one timer slot, ms since the epoch */
  deadline?: number;
  /** consecutive failures (drives backoff) */
  failures = 0;
  /** Expires we ask for (raised by 423 Min-Expires) */
  expires: number;
  private desired?: PublicationBody;
  private published?: PublicationBody;
  private wantRemove = false;
  private inFlight?: PublishOperation;
  private seq = 0;
  private answer?: PublishAnswer;
  private readonly opts: Required<Omit<PublicationOptions, 'expires'>>;

  constructor(options: PublicationOptions) {
    this.expires = options.expires;
    this.opts = {
      coalesceMs: options.coalesceMs ?? 100,
      refreshMarginMs: options.refreshMarginMs ?? 30_000,
      backoffInitialMs: options.backoffInitialMs ?? 1_000,
      backoffMaxMs: options.backoffMaxMs ?? 300_000,
      random: options.random ?? Math.random,
    };
  }

  /** Rebuilds a publication from a stored record: the entity-tag is reused (a modify or refresh
   *  with SIP-If-Match); a 412 from a restarted ESC then starts over with an initial PUBLISH. */
  static restore(record: PublicationRecord, options: PublicationOptions, now: number): Publication {
    const p = new Publication({ ...options, expires: record.expires });
    p.desired = record.body;
    if (record.expiresAt > now) {
      p.state = 'published';
      p.etag = record.etag;
      p.expiresAt = record.expiresAt;
      p.published = record.body;
      p.deadline = Math.max(now, record.expiresAt - p.opts.refreshMarginMs);
    } else {
      p.state = 'pending';
      p.deadline = now;
    }
    return p;
  }

  /** The operation in flight, if any. */
  get pendingOperation(): PublishOperation | undefined {
    return this.inFlight;
  }

  /** The state the ESC holds (what we last published successfully). */
  get publishedBody(): PublicationBody | undefined {
    return this.published;
  }

  get isTerminated(): boolean {
    return this.state === 'terminated';
  }

  /** New state to publish; unchanged text is a no-op. */
  set(body: PublicationBody, now: number): void {
    if (this.state === 'terminated') throw new Error('publication: set() after removal; create a new Publication');
    if (this.wantRemove) throw new Error('publication: set() after remove()');
    if (this.desired !== undefined && sameBody(this.desired, body)) return;
    this.desired = body;
    if (this.state === 'published' && this.published !== undefined && sameBody(this.published, body)) return;
    this.apply('change', now);
  }

  /** Withdraw the publication (RFC 3903 §4.6: SIP-If-Match, Expires 0). */
  remove(now: number): void {
    if (this.wantRemove) return;
    this.wantRemove = true;
    this.apply(this.state !== 'sending' && !this.hasLiveEtag(now) ? 'nothing-to-send' : 'remove', now);
  }

  /** Fires the timer slot when due; returns the PUBLISH to send, if any. */
  poll(now: number): PublishOperation | undefined {
    if (this.deadline === undefined || now < this.deadline) return undefined;
    this.deadline = undefined;
    const event: PublicationEvent =
      this.wantRemove && !this.hasLiveEtag(now) && this.state !== 'sending' ? 'nothing-to-send' : 'timer';
    const before = this.seq;
    this.apply(event, now);
    return this.inFlight !== undefined && this.inFlight.seq > before ? this.inFlight : undefined;
  }

  /** Feeds the answer to operation `seq`; returns false when it was stale (ignored). */
  receive(seq: number, answer: PublishAnswer, now: number): boolean {
    const op = this.inFlight;
    if (op === undefined || op.seq !== seq || this.state !== 'sending') return false;
    this.answer = answer;
    this.apply(classifyAnswer(op, answer), now);
    this.answer = undefined;
    return true;
  }

  /** The operation timed out or could not be sent (treated as 408). */
  timeout(seq: number, now: number): boolean {
    return this.receive(seq, { status: 408 }, now);
  }

  /** The record to persist while an entity-tag is live. */
  toRecord(): PublicationRecord | undefined {
    if (this.etag === undefined || this.expiresAt === undefined || this.published === undefined) return undefined;
    return { etag: this.etag, expiresAt: this.expiresAt, expires: this.expires, body: this.published };
  }

  /* ---------------------------------------------------------------- machinery */

  private apply(event: PublicationEvent, now: number): void {
    const from = this.state;
    const row = transitionPublication(from, event);
    this.state = row.next;
    this.run(row.action, from, now);
  }

  private run(action: PublicationAction, from: PublicationState, now: number): void {
    switch (action) {
      case 'schedule':
        this.deadline = from === 'pending' && this.deadline !== undefined
          ? Math.min(this.deadline, now + this.opts.coalesceMs)
          : now + this.opts.coalesceMs;
        return;
      case 'schedule-now':
        this.deadline = now;
        return;
      case 'defer':
      case 'ignore':
        return;
      case 'send':
        return this.send(now);
      case 'record-etag':
        return this.recordEtag(now);
      case 'drop-etag':
        this.clearEtag();
        this.inFlight = undefined;
        this.deadline = now;
        return;
      case 'raise-expires':
        this.expires = Math.max(this.expires, this.answer?.minExpires ?? this.expires);
        this.inFlight = undefined;
        this.deadline = now;
        return;
      case 'back-off':
        return this.backOff(now);
      case 'finish':
        this.clearEtag();
        this.inFlight = undefined;
        this.deadline = undefined;
        return;
    }
  }

  private send(now: number): void {
    const live = this.hasLiveEtag(now);
    if (!live) this.clearEtag();
    const seq = ++this.seq;
    let op: PublishOperation;
    if (this.wantRemove) op = { seq, kind: 'remove', ifMatch: this.etag, expires: 0 };
    else if (!live) op = { seq, kind: 'initial', expires: this.expires, body: this.requireDesired() };
    else if (this.published === undefined || !sameBody(this.published, this.requireDesired()))
      op = { seq, kind: 'modify', ifMatch: this.etag, expires: this.expires, body: this.desired };
    else op = { seq, kind: 'refresh', ifMatch: this.etag, expires: this.expires };
    this.inFlight = op;
  }

  private recordEtag(now: number): void {
    const op = this.inFlight!;
    const answer = this.answer!;
    const granted = answer.expires ?? op.expires;
    this.etag = answer.etag;
    this.expiresAt = now + granted * 1000;
    if (op.body !== undefined) this.published = op.body;
    this.failures = 0;
    this.inFlight = undefined;
    const grantedMs = granted * 1000;
    this.deadline = now + Math.max(grantedMs / 2, grantedMs - this.opts.refreshMarginMs);
    // Rule 1 of the table: replay what arrived while the PUBLISH was in flight
    if (this.wantRemove) this.apply('remove', now);
    else if (this.desired !== undefined && !sameBody(this.desired, this.published!)) this.apply('change', now);
  }

  private backOff(now: number): void {
    this.failures++;
    this.inFlight = undefined;
    const retryAfter = this.answer?.retryAfter;
    const exp = this.opts.backoffInitialMs * 2 ** Math.min(this.failures - 1, 30);
    const base = retryAfter !== undefined && retryAfter > 0 ? retryAfter * 1000 : exp;
    const jitter = 0.8 + 0.4 * this.opts.random();
    this.deadline = now + Math.min(this.opts.backoffMaxMs, Math.round(base * jitter));
  }

  private hasLiveEtag(now: number): boolean {
    return this.etag !== undefined && this.expiresAt !== undefined && this.expiresAt > now;
  }

  private clearEtag(): void {
    this.etag = undefined;
    this.expiresAt = undefined;
    this.published = undefined;
  }

  private requireDesired(): PublicationBody {
    if (this.desired === undefined) throw new Error('publication: nothing to publish (set() was never called)');
    return this.desired;
  }
}

/** Which table event an answer is (RFC 3903 §4, §6). */
export function classifyAnswer(op: PublishOperation, answer: PublishAnswer): PublicationEvent {
  const s = answer.status;
  if (op.kind === 'remove') {
    // a 412 to a remove: the ESC no longer holds the entity-tag — nothing is left to withdraw
    return (s >= 200 && s < 300) || s === 412 ? 'removed' : 'failure';
  }
  if (s >= 200 && s < 300) return answer.etag !== undefined ? 'ok' : 'failure';
  if (s === 412) return op.kind === 'initial' ? 'failure' : 'conditional-failed';
  if (s === 423 && answer.minExpires !== undefined && answer.minExpires > op.expires) return 'interval-too-brief';
  return 'failure';
}

function sameBody(a: PublicationBody, b: PublicationBody): boolean {
  return a.text === b.text && a.contentType === b.contentType;
}
