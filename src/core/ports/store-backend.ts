/**
 * StoreBackend: the few primitive operations a storage technology supplies (rows by uuid / key,
 * ordered LIKE queries, an append-only change log, transactions). `createDirectoryStore` builds the
 * full DirectoryStore port on top of one, so validation, reference checks, cascades and change logging
 * are written once and behave the same in memory and in SQLite (the contract suite checks that).
 */
import type { ChangeAction, ChangeEntry, ChangeType, EntityKind, EntityMap, ListQuery } from './directory-store.js';

export interface StoreBackend {
  /** identifies the change queue (stable for the life of the database) */
  readonly queueId: string;
  newUuid(): string;
  findByUuid<K extends EntityKind>(kind: K, uuid: string): EntityMap[K] | undefined;
  findByKey<K extends EntityKind>(kind: K, key: string): EntityMap[K] | undefined;
  insert<K extends EntityKind>(kind: K, key: string, record: EntityMap[K]): void;
  /** replaces the row with `record.uuid`; its key may have changed */
  replace<K extends EntityKind>(kind: K, key: string, record: EntityMap[K]): void;
  delete(kind: EntityKind, uuid: string): void;
  /** rows matching the query, ordered by key, after skip/first */
  query<K extends EntityKind>(kind: K, query: ListQuery<K>): EntityMap[K][];
  count<K extends EntityKind>(kind: K, query: ListQuery<K>): number;
  /** every row of a kind (scans: reference checks, cascades, loadParts) */
  all<K extends EntityKind>(kind: K): EntityMap[K][];
  appendChange(type: ChangeType, uuid: string, action: ChangeAction, key: string): void;
  changesSince(sinceId: number, types: readonly ChangeType[] | undefined, max: number): ChangeEntry[];
  changeBounds(): { first: number; last: number };
  transaction<T>(fn: () => T): T;
}
