/**
 * Batched persistence of subscriptions (DESIGN.md "Runtime state": subscriptions with their dialog,
 * CSeq and version survive a restart). Changes only mark an id dirty; `flush()` writes every dirty
 * subscription (or deletes it) in one store transaction — every second and at shutdown.
 *
 * Rule 1: the stored record is `{ dialog, core }`: the SIP dialog (ours) and the core's opaque
 *         subscription record (the engine's, with its version and expiry).
 * Rule 2: restore bumps our NOTIFY CSeq by `CSEQ_GAP`: NOTIFYs sent after the last flush (a crash)
 *         must not be repeated with a lower CSeq (blf-facts §1.1: Polycom, SIP.js reject that).
 * Rule 3: the timer writes at most `FLUSH_SLICE` subscriptions per transaction and lets pending I/O
 *         run before the next slice: a fan-out leaves thousands dirty, and one long transaction
 *         would hold back the NOTIFY answers and new SUBSCRIBEs queued behind it.
 * Rule 4: a live dialog marked dirty is queued once, by a mark on the dialog itself (an array push),
 *         not by its id in a set: a fan-out marks thousands in one synchronous run, and a set insert
 *         of each id was ~0.5 µs of it. Ids alone (an ended dialog, a restored one) go in a set.
 */
import type { Flow } from '../../sip/index.js';
import type { SubscriptionStorePort } from './notifier-ports.js';
import { SipSubscription, dialogFromStored, dialogToStored, type StoredDialog } from './sip-subscription.js';

export const CSEQ_GAP = 100;
/** Rule 3 */
export const FLUSH_SLICE = 500;

export interface StoredPresenceSubscription {
  readonly dialog: StoredDialog;
  /** the core's record for this subscription (opaque here) */
  readonly core: unknown;
}

export interface SubscriptionPersistenceOptions {
  readonly store: SubscriptionStorePort;
  readonly dialogOf: (id: string) => SipSubscription | undefined;
  /** the core's records of these subscriptions (ids the core no longer has are absent) */
  readonly coreRecordsOf: (ids: ReadonlySet<string>) => ReadonlyMap<string, unknown>;
  readonly now?: () => number;
  readonly intervalMs?: number;
  readonly onError?: (err: unknown) => void;
}

export class SubscriptionPersistence {
  /** Rule 4 */
  private readonly dirty = new Set<string>();
  private readonly queued: SipSubscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private slicing = false;
  private closed = false;

  constructor(private readonly opts: SubscriptionPersistenceOptions) {}

  /** The subscription `id` changed; `dialog` is its live dialog, if it has one (Rule 4). */
  markDirty(id: string, dialog?: SipSubscription): void {
    if (dialog === undefined || dialog.ended) this.dirty.add(id);
    else if (dialog.queueForSaving()) this.queued.push(dialog);
  }

  /** Marks waiting to be written (an id may be counted twice: queued by its dialog and by id). */
  get pending(): number {
    return this.dirty.size + this.queued.length;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flushInSlices(), this.opts.intervalMs ?? 1000);
    this.timer.unref?.();
  }

  /** Writes every dirty subscription (at most `limit`); returns how many were saved and deleted. */
  flush(limit = Infinity): { saved: number; deleted: number } {
    if (this.pending === 0) return { saved: 0, deleted: 0 };
    const now = (this.opts.now ?? Date.now)();
    const save: { id: string; record: StoredPresenceSubscription; updatedAt: number }[] = [];
    const del: string[] = [];
    const ids = new Set<string>();
    for (const dialog of this.queued.splice(0, limit)) {
      dialog.takeFromSaving();
      ids.add(dialog.id);
    }
    for (const id of this.dirty) {
      if (ids.size >= limit) break;
      ids.add(id);
    }
    const cores = this.opts.coreRecordsOf(ids);
    for (const id of ids) {
      this.dirty.delete(id);
      const dialog = this.opts.dialogOf(id);
      const core = dialog === undefined ? undefined : cores.get(id);
      if (dialog === undefined || core === undefined) del.push(id);
      else save.push({ id, record: { dialog: dialogToStored(dialog), core }, updatedAt: now });
    }
    if (save.length > 0) this.opts.store.saveSubscriptions(save);
    if (del.length > 0) this.opts.store.deleteSubscriptions(del);
    return { saved: save.length, deleted: del.length };
  }

  /** Stops the timer and writes what is left. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.closed = true;
    this.flushSafely();
  }

  /** Everything stored, dialogs rebuilt (Rule 2); the caller hands `core` records to the engine. */
  load(internFlow: (f: Flow) => Flow): { dialog: SipSubscription; core: unknown }[] {
    const out: { dialog: SipSubscription; core: unknown }[] = [];
    for (const row of this.opts.store.loadSubscriptions<StoredPresenceSubscription>()) {
      const rec = row.record;
      if (rec === null || typeof rec !== 'object' || rec.dialog === undefined) continue;
      const dialog = dialogFromStored(row.id, rec.dialog, internFlow);
      dialog.localCseq += CSEQ_GAP;
      out.push({ dialog, core: rec.core });
    }
    return out;
  }

  /** Rule 3: one slice now, the next after pending I/O, until nothing is dirty. */
  private flushInSlices(): void {
    if (this.slicing || this.closed) return;
    this.flushSafely(FLUSH_SLICE);
    if (this.pending === 0) return;
    this.slicing = true;
    setImmediate(() => {
      this.slicing = false;
      this.flushInSlices();
    });
  }

  private flushSafely(limit = Infinity): void {
    try {
      this.flush(limit);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }
}
