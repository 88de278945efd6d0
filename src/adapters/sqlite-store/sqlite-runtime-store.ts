/**
 * Runtime persistence the SIP side needs across restarts (DESIGN.md "Runtime state"): subscriptions
 * (with their dialog, CSeq and version, as an opaque JSON record) and published ETags.
 * The presence adapter owns the record shapes; this class only stores them.
 */
import type { SqliteDatabase } from './sqlite-database.js';

export interface StoredSubscription<R = unknown> {
  readonly id: string;
  readonly record: R;
  /** milliseconds since the epoch, supplied by the caller (no clock here) */
  readonly updatedAt: number;
}

export interface StoredPublication<R = unknown> {
  /** e.g. the presentity AOR + event package */
  readonly key: string;
  readonly etag: string;
  /** milliseconds since the epoch */
  readonly expiresAt: number;
  readonly record: R;
  readonly updatedAt: number;
}

/** Saves, loads and deletes subscriptions and publications; bulk saves run in one transaction. */
export class SqliteRuntimeStore {
  private readonly putSub;
  private readonly delSub;
  private readonly putPub;
  private readonly delPub;

  constructor(private readonly db: SqliteDatabase) {
    this.putSub = db.prepare(
      'INSERT INTO subscriptions (id, record, updated_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT(id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at',
    );
    this.delSub = db.prepare('DELETE FROM subscriptions WHERE id = ?');
    this.putPub = db.prepare(
      'INSERT INTO publications (key, etag, expires_at, record, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, expires_at = excluded.expires_at, ' +
        'record = excluded.record, updated_at = excluded.updated_at',
    );
    this.delPub = db.prepare('DELETE FROM publications WHERE key = ?');
  }

  saveSubscription(sub: StoredSubscription): void {
    this.putSub.run(sub.id, JSON.stringify(sub.record), sub.updatedAt);
  }

  /** Saves many subscriptions in one transaction (all or none). */
  saveSubscriptions(subs: readonly StoredSubscription[]): void {
    this.db.transaction(() => {
      for (const s of subs) this.saveSubscription(s);
    })();
  }

  loadSubscriptions<R = unknown>(): StoredSubscription<R>[] {
    const rows = this.db.prepare('SELECT id, record, updated_at FROM subscriptions ORDER BY id').all() as {
      id: string;
      record: string;
      updated_at: number;
    }[];
    return rows.map((r) => ({ id: r.id, record: JSON.parse(r.record) as R, updatedAt: r.updated_at }));
  }

  deleteSubscription(id: string): boolean {
    return this.delSub.run(id).changes > 0;
  }

  /** Deletes many subscriptions in one transaction. */
  deleteSubscriptions(ids: readonly string[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.delSub.run(id);
    })();
  }

  savePublication(pub: StoredPublication): void {
    this.putPub.run(pub.key, pub.etag, pub.expiresAt, JSON.stringify(pub.record), pub.updatedAt);
  }

  savePublications(pubs: readonly StoredPublication[]): void {
    this.db.transaction(() => {
      for (const p of pubs) this.savePublication(p);
    })();
  }

  loadPublications<R = unknown>(): StoredPublication<R>[] {
    const rows = this.db.prepare('SELECT key, etag, expires_at, record, updated_at FROM publications ORDER BY key').all() as {
      key: string;
      etag: string;
      expires_at: number;
      record: string;
      updated_at: number;
    }[];
    return rows.map((r) => ({
      key: r.key,
      etag: r.etag,
      expiresAt: r.expires_at,
      record: JSON.parse(r.record) as R,
      updatedAt: r.updated_at,
    }));
  }

  deletePublication(key: string): boolean {
    return this.delPub.run(key).changes > 0;
  }

  /** Removes publications that expired at or before `now` (ms); returns how many. */
  deleteExpiredPublications(now: number): number {
    return this.db.prepare('DELETE FROM publications WHERE expires_at <= ?').run(now).changes;
  }
}
