/**
 * DirectoryStore over better-sqlite3 (the port's persistent implementation).
 *
 * Each kind has a table with its uuid, unique key, the AXL search fields as columns (so list
 * searches and skip/first paging run in SQL) and the full record as JSON in `data`. Phones also
 * index their line appearances (`line_appearances`). Statements are prepared once and cached; writes
 * run in better-sqlite3 transactions (nested ones become savepoints).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  ENTITY_KINDS,
  createDirectoryStore,
  lineKeyOfAppearance,
  type ChangeAction,
  type ChangeEntry,
  type ChangeType,
  type DirectoryStore,
  type EntityKind,
  type EntityMap,
  type ListQuery,
  type StoreBackend,
  type StoredPhone,
} from '../../core/ports/index.js';
import type { SqliteDatabase } from './sqlite-database.js';

interface TableSpec {
  readonly table: string;
  /** record field → column */
  readonly columns: Readonly<Record<string, string>>;
}

const SPECS: Readonly<Record<EntityKind, TableSpec>> = {
  user: {
    table: 'users',
    columns: { userid: 'userid', firstName: 'first_name', lastName: 'last_name', department: 'department' },
  },
  phone: {
    table: 'phones',
    columns: { name: 'name', description: 'description', protocol: 'protocol', callingSearchSpaceName: 'calling_css' },
  },
  line: { table: 'lines', columns: { pattern: 'pattern', description: 'description', routePartitionName: 'partition' } },
  partition: { table: 'partitions', columns: { name: 'name', description: 'description' } },
  css: { table: 'css', columns: { name: 'name', description: 'description' } },
  presenceGroup: { table: 'presence_groups', columns: { name: 'name', description: 'description' } },
};

function columnValues(kind: EntityKind, record: object): unknown[] {
  const r = record as Record<string, unknown>;
  return Object.keys(SPECS[kind].columns).map((f) => (r[f] === undefined ? null : r[f]));
}

class SqliteBackend implements StoreBackend {
  readonly queueId: string;
  private readonly cache = new Map<string, Database.Statement<unknown[]>>();

  constructor(private readonly db: SqliteDatabase) {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'queue_id'").get() as { value: string } | undefined;
    this.queueId = row?.value ?? randomBytes(8).toString('hex');
    if (!row) db.prepare("INSERT INTO meta (key, value) VALUES ('queue_id', ?)").run(this.queueId);
  }

  private stmt(sql: string): Database.Statement<unknown[]> {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  newUuid(): string {
    return `{${randomUUID().toUpperCase()}}`;
  }

  private one<K extends EntityKind>(kind: K, column: 'uuid' | 'key', value: string): EntityMap[K] | undefined {
    const row = this.stmt(`SELECT data FROM ${SPECS[kind].table} WHERE ${column} = ?`).get(value) as
      | { data: string }
      | undefined;
    return row ? (JSON.parse(row.data) as EntityMap[K]) : undefined;
  }

  findByUuid<K extends EntityKind>(kind: K, uuid: string): EntityMap[K] | undefined {
    return this.one(kind, 'uuid', uuid);
  }

  findByKey<K extends EntityKind>(kind: K, key: string): EntityMap[K] | undefined {
    return this.one(kind, 'key', key);
  }

  insert<K extends EntityKind>(kind: K, key: string, record: EntityMap[K]): void {
    const spec = SPECS[kind];
    const cols = Object.values(spec.columns);
    const sql = `INSERT INTO ${spec.table} (uuid, key, ${cols.join(', ')}, data) VALUES (?, ?, ${cols.map(() => '?').join(', ')}, ?)`;
    this.stmt(sql).run(record.uuid, key, ...columnValues(kind, record), JSON.stringify(record));
    if (kind === 'phone') this.indexAppearances(record as StoredPhone);
  }

  replace<K extends EntityKind>(kind: K, key: string, record: EntityMap[K]): void {
    const spec = SPECS[kind];
    const sets = Object.values(spec.columns).map((c) => `${c} = ?`).join(', ');
    const sql = `UPDATE ${spec.table} SET key = ?, ${sets}, data = ? WHERE uuid = ?`;
    this.stmt(sql).run(key, ...columnValues(kind, record), JSON.stringify(record), record.uuid);
    if (kind === 'phone') this.indexAppearances(record as StoredPhone);
  }

  private indexAppearances(phone: StoredPhone): void {
    this.stmt('DELETE FROM line_appearances WHERE phone_uuid = ?').run(phone.uuid);
    const ins = this.stmt('INSERT INTO line_appearances (phone_uuid, idx, line_key) VALUES (?, ?, ?)');
    for (const l of phone.lines) ins.run(phone.uuid, l.index, lineKeyOfAppearance(l));
  }

  delete(kind: EntityKind, uuid: string): void {
    this.stmt(`DELETE FROM ${SPECS[kind].table} WHERE uuid = ?`).run(uuid);
  }

  private whereClause<K extends EntityKind>(kind: K, query: ListQuery<K>): { sql: string; args: string[] } {
    const parts: string[] = [];
    const args: string[] = [];
    const where = (query.where ?? {}) as Record<string, string | undefined>;
    for (const [field, pattern] of Object.entries(where)) {
      if (pattern === undefined) continue;
      const column = SPECS[kind].columns[field];
      if (!column) throw new Error(`${field} is not a search field of ${kind}`);
      if (pattern === '%') continue; // matches every row, null included
      parts.push(`COALESCE(${column}, '') LIKE ?`);
      args.push(pattern);
    }
    return { sql: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', args };
  }

  query<K extends EntityKind>(kind: K, query: ListQuery<K>): EntityMap[K][] {
    const { sql, args } = this.whereClause(kind, query);
    const paging = query.first === undefined ? '' : ` LIMIT ${Math.max(0, query.first)} OFFSET ${Math.max(0, query.skip ?? 0)}`;
    const rows = this.stmt(`SELECT data FROM ${SPECS[kind].table}${sql} ORDER BY key${paging}`).all(...args) as {
      data: string;
    }[];
    return rows.map((r) => JSON.parse(r.data) as EntityMap[K]);
  }

  count<K extends EntityKind>(kind: K, query: ListQuery<K>): number {
    const { sql, args } = this.whereClause(kind, query);
    return (this.stmt(`SELECT COUNT(*) AS n FROM ${SPECS[kind].table}${sql}`).get(...args) as { n: number }).n;
  }

  all<K extends EntityKind>(kind: K): EntityMap[K][] {
    return this.query(kind, {});
  }

  appendChange(type: ChangeType, uuid: string, action: ChangeAction, key: string): void {
    this.stmt('INSERT INTO changes (type, uuid, action, key) VALUES (?, ?, ?, ?)').run(type, uuid, action, key);
  }

  changesSince(sinceId: number, types: readonly ChangeType[] | undefined, max: number): ChangeEntry[] {
    const filter = types && types.length > 0 ? ` AND type IN (${types.map(() => '?').join(', ')})` : '';
    const sql = `SELECT id, type, uuid, action, key FROM changes WHERE id > ?${filter} ORDER BY id LIMIT ?`;
    return this.stmt(sql).all(sinceId, ...(types ?? []), max) as ChangeEntry[];
  }

  changeBounds(): { first: number; last: number } {
    const row = this.stmt('SELECT MIN(id) AS first, MAX(id) AS last FROM changes').get() as {
      first: number | null;
      last: number | null;
    };
    return { first: row.first ?? 0, last: row.last ?? 0 };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

/** The DirectoryStore port over an open, migrated database (see `openSqliteDatabase`). */
export function createSqliteDirectoryStore(db: SqliteDatabase): DirectoryStore {
  if (ENTITY_KINDS.length !== Object.keys(SPECS).length) throw new Error('table spec missing a kind');
  return createDirectoryStore(new SqliteBackend(db));
}
