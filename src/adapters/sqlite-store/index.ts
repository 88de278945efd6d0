/** SQLite store adapter: the DirectoryStore port on better-sqlite3, runtime persistence, CSV import. */
export { openSqliteDatabase, type SqliteDatabase, type OpenSqliteOptions } from './sqlite-database.js';
export { migrate, readSchemaVersion, SCHEMA_VERSION } from './migrations.js';
export { createSqliteDirectoryStore } from './sqlite-directory-store.js';
export { SqliteRuntimeStore, type StoredSubscription, type StoredPublication } from './sqlite-runtime-store.js';
export { parseCsv, type CsvRow } from './parse-csv.js';
export {
  importUsersCsv,
  importPhonesCsv,
  type ImportReport,
  type ImportRowError,
  type ImportProgress,
  type ImportOptions,
} from './bat-csv-import.js';
