/**
 * In-memory DirectoryStore (pure: no I/O, no clock, no randomness). Used by unit tests and as the
 * reference implementation in the contract suite; uuids come from a counter unless injected.
 *
 * Invariant: inside `transaction`, every mutation records its undo step; a throw replays them in
 * reverse, so a failed transaction leaves rows and change log exactly as before.
 */
import type {
  ChangeAction,
  ChangeEntry,
  ChangeType,
  DirectoryStore,
  EntityKind,
  EntityMap,
  ListQuery,
} from './directory-store.js';
import { ENTITY_KINDS } from './directory-store.js';
import { createDirectoryStore } from './create-directory-store.js';
import type { StoreBackend } from './store-backend.js';
import { counterUuid, likeToRegExp } from './store-records.js';

interface Table {
  readonly rows: Map<string, unknown>; // uuid → record
  readonly keys: Map<string, string>; // key → uuid
  readonly keyOf: Map<string, string>; // uuid → key
}

export interface MemoryDirectoryStoreOptions {
  /** uuid source (AXL format); default: a counter */
  readonly newUuid?: () => string;
  readonly queueId?: string;
}

function matches(record: unknown, where: Record<string, string | undefined> | undefined): boolean {
  if (!where) return true;
  const r = record as Record<string, unknown>;
  for (const [field, pattern] of Object.entries(where)) {
    if (pattern === undefined) continue;
    const value = r[field];
    if (!likeToRegExp(pattern).test(value === null || value === undefined ? '' : String(value))) return false;
  }
  return true;
}

class MemoryBackend implements StoreBackend {
  readonly queueId: string;
  private readonly tables = new Map<EntityKind, Table>();
  private readonly changes: ChangeEntry[] = [];
  private undo: (() => void)[] | undefined;
  private counter = 0;
  private readonly uuidSource: (() => string) | undefined;

  constructor(opts: MemoryDirectoryStoreOptions) {
    this.queueId = opts.queueId ?? 'memory';
    this.uuidSource = opts.newUuid;
    for (const k of ENTITY_KINDS) this.tables.set(k, { rows: new Map(), keys: new Map(), keyOf: new Map() });
  }

  private t(kind: EntityKind): Table {
    return this.tables.get(kind)!;
  }

  newUuid(): string {
    return this.uuidSource ? this.uuidSource() : counterUuid(++this.counter);
  }

  findByUuid<K extends EntityKind>(kind: K, uuid: string): EntityMap[K] | undefined {
    return this.t(kind).rows.get(uuid) as EntityMap[K] | undefined;
  }

  findByKey<K extends EntityKind>(kind: K, key: string): EntityMap[K] | undefined {
    const uuid = this.t(kind).keys.get(key);
    return uuid === undefined ? undefined : this.findByUuid(kind, uuid);
  }

  private put(kind: EntityKind, key: string, record: { uuid: string }): void {
    const t = this.t(kind);
    t.rows.set(record.uuid, record);
    t.keys.set(key, record.uuid);
    t.keyOf.set(record.uuid, key);
  }

  private drop(kind: EntityKind, uuid: string): void {
    const t = this.t(kind);
    const key = t.keyOf.get(uuid);
    if (key !== undefined) t.keys.delete(key);
    t.keyOf.delete(uuid);
    t.rows.delete(uuid);
  }

  private snapshotRow(kind: EntityKind, uuid: string): void {
    const t = this.t(kind);
    const prev = t.rows.get(uuid) as { uuid: string } | undefined;
    const prevKey = t.keyOf.get(uuid);
    this.undo?.push(() => {
      this.drop(kind, uuid);
      if (prev && prevKey !== undefined) this.put(kind, prevKey, prev);
    });
  }

  insert<K extends EntityKind>(kind: K, key: string, record: EntityMap[K]): void {
    this.snapshotRow(kind, record.uuid);
    this.put(kind, key, record);
  }

  replace<K extends EntityKind>(kind: K, key: string, record: EntityMap[K]): void {
    this.snapshotRow(kind, record.uuid);
    this.drop(kind, record.uuid);
    this.put(kind, key, record);
  }

  delete(kind: EntityKind, uuid: string): void {
    this.snapshotRow(kind, uuid);
    this.drop(kind, uuid);
  }

  private sorted<K extends EntityKind>(kind: K, query: ListQuery<K>): EntityMap[K][] {
    const t = this.t(kind);
    const keys = [...t.keys.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const where = query.where as Record<string, string | undefined> | undefined;
    return keys.map((k) => t.rows.get(t.keys.get(k)!) as EntityMap[K]).filter((r) => matches(r, where));
  }

  query<K extends EntityKind>(kind: K, query: ListQuery<K>): EntityMap[K][] {
    const rows = this.sorted(kind, query);
    const skip = query.first === undefined ? 0 : query.skip ?? 0;
    return rows.slice(skip, query.first === undefined ? undefined : skip + query.first);
  }

  count<K extends EntityKind>(kind: K, query: ListQuery<K>): number {
    return this.sorted(kind, query).length;
  }

  all<K extends EntityKind>(kind: K): EntityMap[K][] {
    return this.sorted(kind, {});
  }

  appendChange(type: ChangeType, uuid: string, action: ChangeAction, key: string): void {
    const last = this.changes.length === 0 ? 0 : this.changes[this.changes.length - 1]!.id;
    this.changes.push({ id: last + 1, type, uuid, action, key });
    this.undo?.push(() => void this.changes.pop());
  }

  changesSince(sinceId: number, types: readonly ChangeType[] | undefined, max: number): ChangeEntry[] {
    const out: ChangeEntry[] = [];
    for (const c of this.changes) {
      if (c.id <= sinceId || (types && types.length > 0 && !types.includes(c.type))) continue;
      out.push(c);
      if (out.length >= max) break;
    }
    return out;
  }

  changeBounds(): { first: number; last: number } {
    if (this.changes.length === 0) return { first: 0, last: 0 };
    return { first: this.changes[0]!.id, last: this.changes[this.changes.length - 1]!.id };
  }

  transaction<T>(fn: () => T): T {
    if (this.undo) return fn(); // nested: the outer transaction owns rollback
    this.undo = [];
    try {
      const result = fn();
      this.undo = undefined;
      return result;
    } catch (err) {
      const steps = this.undo ?? [];
      this.undo = undefined;
      for (let i = steps.length - 1; i >= 0; i--) steps[i]!();
      throw err;
    }
  }
}

/** A DirectoryStore held in memory. */
export function createMemoryDirectoryStore(opts: MemoryDirectoryStoreOptions = {}): DirectoryStore {
  return createDirectoryStore(new MemoryBackend(opts));
}
