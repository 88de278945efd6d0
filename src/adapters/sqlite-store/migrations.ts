/**
 * Schema migrations for the gateway database (better-sqlite3 12). `schema_version` holds the applied
 * version; `migrate` applies the missing steps in order, each in its own transaction, so a database
 * from any earlier version opens at the current one.
 */
import type Database from 'better-sqlite3';

/** Searchable columns per directory table; `data` holds the full record as JSON. */
const DIRECTORY_TABLES = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (uuid TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, userid TEXT NOT NULL,
  first_name TEXT, last_name TEXT, department TEXT, data TEXT NOT NULL);
CREATE TABLE phones (uuid TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  description TEXT, protocol TEXT, calling_css TEXT, data TEXT NOT NULL);
CREATE TABLE lines (uuid TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, pattern TEXT NOT NULL,
  description TEXT, partition TEXT, data TEXT NOT NULL);
CREATE TABLE partitions (uuid TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  description TEXT, data TEXT NOT NULL);
CREATE TABLE css (uuid TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  description TEXT, data TEXT NOT NULL);
CREATE TABLE presence_groups (uuid TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  description TEXT, data TEXT NOT NULL);
CREATE TABLE line_appearances (phone_uuid TEXT NOT NULL REFERENCES phones(uuid) ON DELETE CASCADE,
  idx INTEGER NOT NULL, line_key TEXT NOT NULL, PRIMARY KEY (phone_uuid, idx));
CREATE INDEX line_appearances_line ON line_appearances(line_key);
CREATE TABLE changes (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, uuid TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('a','u','r')), key TEXT NOT NULL);
`;

const RUNTIME_TABLES = `
CREATE TABLE subscriptions (id TEXT PRIMARY KEY, record TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE publications (key TEXT PRIMARY KEY, etag TEXT NOT NULL, expires_at INTEGER NOT NULL,
  record TEXT NOT NULL, updated_at INTEGER NOT NULL);
`;

/** Ordered migrations; index + 1 is the version they bring the schema to. */
export const MIGRATIONS: readonly ((db: Database.Database) => void)[] = [
  (db) => db.exec(DIRECTORY_TABLES),
  (db) => db.exec(RUNTIME_TABLES),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Current schema version of `db` (0 for an empty database). */
export function readSchemaVersion(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/** Applies missing migrations up to `target` (default: latest); returns the resulting version. */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): number {
  let version = readSchemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is newer than this gateway (${SCHEMA_VERSION})`);
  }
  while (version < target) {
    const step = MIGRATIONS[version]!;
    const next = version + 1;
    db.transaction(() => {
      step(db);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(next);
    })();
    version = next;
  }
  return version;
}
