/**
 * BAT-style bulk import of users and phones from CSV into a DirectoryStore.
 *
 * users.csv columns (header row required, any order; only `userid` and `lastName` are required):
 *   userid, firstName, middleName, lastName, displayName, mailid, department, telephoneNumber,
 *   directoryUri, presenceGroupName, subscribeCallingSearchSpaceName,
 *   associatedDevices (phone names separated by `;`)
 * phones.csv columns (only `name` and `protocol` (SIP|SCCP) are required):
 *   name, description, product (default `Cisco 8845`), protocol, devicePoolName,
 *   callingSearchSpaceName, subscribeCallingSearchSpaceName, presenceGroupName, ownerUserName,
 *   digestPassword, then per line N = 1, 2, …: lineN (the DN), lineNPartition, lineNLabel,
 *   lineNDisplay, lineNUsers (user ids separated by `;`), and per BLF speed dial N: blfN (DN or SIP
 *   URI), blfNPartition (when given, blfN is a DN in that partition), blfNLabel.
 *
 * Rule: each row is one store write (validated before anything is written), so a bad row never
 * half-applies; it is reported with its file line and the rest of the file goes on. Rows are grouped
 * into transactions of `batchSize` for speed.
 */
import type {
  DirectoryStore,
  NewRecord,
  StoredBlfSpeedDial,
  StoredLineAppearance,
  WriteOptions,
} from '../../core/ports/index.js';
import { parseCsv, type CsvRow } from './parse-csv.js';

export interface ImportRowError {
  /** 1-based line in the file */
  readonly line: number;
  readonly key: string;
  readonly message: string;
}

export interface ImportReport {
  readonly total: number;
  readonly added: number;
  readonly errors: readonly ImportRowError[];
}

export type ImportProgress = (done: number, total: number) => void;

export interface ImportOptions extends WriteOptions {
  /** rows per transaction (default 1000) */
  readonly batchSize?: number;
}

const USER_COLUMNS = new Set([
  'userid', 'firstName', 'middleName', 'lastName', 'displayName', 'mailid', 'department', 'telephoneNumber',
  'directoryUri', 'presenceGroupName', 'subscribeCallingSearchSpaceName', 'associatedDevices',
]);
const PHONE_COLUMNS = new Set([
  'name', 'description', 'product', 'protocol', 'devicePoolName', 'callingSearchSpaceName',
  'subscribeCallingSearchSpaceName', 'presenceGroupName', 'ownerUserName', 'digestPassword',
]);
const PHONE_SLOT_COLUMN = /^(line|blf)(\d+)(Partition|Label|Display|Users)?$/;

type Cells = ReadonlyMap<string, string>;
type RowResult<T> = { record: T } | { error: string };

function opt(cells: Cells, column: string): string | undefined {
  const v = cells.get(column)?.trim();
  return v ? v : undefined;
}

function splitList(v: string | undefined): string[] {
  return v ? v.split(';').map((s) => s.trim()).filter(Boolean) : [];
}

function userFromCells(c: Cells): RowResult<NewRecord<'user'>> {
  const userid = opt(c, 'userid');
  const lastName = opt(c, 'lastName');
  if (!userid) return { error: 'userid is empty' };
  if (!lastName) return { error: 'lastName is empty' };
  return {
    record: {
      userid,
      lastName,
      firstName: opt(c, 'firstName'),
      middleName: opt(c, 'middleName'),
      displayName: opt(c, 'displayName'),
      mailid: opt(c, 'mailid'),
      department: opt(c, 'department'),
      telephoneNumber: opt(c, 'telephoneNumber'),
      directoryUri: opt(c, 'directoryUri'),
      presenceGroupName: opt(c, 'presenceGroupName') ?? null,
      subscribeCallingSearchSpaceName: opt(c, 'subscribeCallingSearchSpaceName') ?? null,
      associatedDevices: splitList(opt(c, 'associatedDevices')),
    },
  };
}

function slots(c: Cells, prefix: 'line' | 'blf'): number[] {
  const out = new Set<number>();
  for (const [col, v] of c) {
    const m = PHONE_SLOT_COLUMN.exec(col);
    if (m && m[1] === prefix && !m[3] && v.trim()) out.add(Number(m[2]));
  }
  return [...out].sort((a, b) => a - b);
}

function phoneFromCells(c: Cells): RowResult<NewRecord<'phone'>> {
  const name = opt(c, 'name');
  const protocol = opt(c, 'protocol')?.toLowerCase();
  if (!name) return { error: 'name is empty' };
  if (protocol !== 'sip' && protocol !== 'sccp') return { error: `protocol must be SIP or SCCP, not "${protocol ?? ''}"` };
  const lines: StoredLineAppearance[] = slots(c, 'line').map((n) => ({
    index: n,
    pattern: opt(c, `line${n}`)!,
    routePartitionName: opt(c, `line${n}Partition`) ?? null,
    label: opt(c, `line${n}Label`),
    display: opt(c, `line${n}Display`),
    maxNumCalls: 2,
    busyTrigger: 1,
    associatedEndusers: splitList(opt(c, `line${n}Users`)),
  }));
  const busyLampFields: StoredBlfSpeedDial[] = slots(c, 'blf').map((n) => {
    const target = opt(c, `blf${n}`)!;
    const partition = opt(c, `blf${n}Partition`);
    const label = opt(c, `blf${n}Label`);
    return partition
      ? { index: n, label, blfDirn: target, routePartition: partition, pickup: false }
      : { index: n, label, blfDest: target, pickup: false };
  });
  return {
    record: {
      name,
      protocol,
      description: opt(c, 'description'),
      product: opt(c, 'product') ?? 'Cisco 8845',
      devicePoolName: opt(c, 'devicePoolName'),
      callingSearchSpaceName: opt(c, 'callingSearchSpaceName') ?? null,
      subscribeCallingSearchSpaceName: opt(c, 'subscribeCallingSearchSpaceName') ?? null,
      presenceGroupName: opt(c, 'presenceGroupName') ?? null,
      ownerUserName: opt(c, 'ownerUserName') ?? null,
      digestPassword: opt(c, 'digestPassword'),
      lines,
      busyLampFields,
    },
  };
}

function runImport<K extends 'user' | 'phone'>(
  store: DirectoryStore,
  kind: K,
  text: string,
  known: (column: string) => boolean,
  build: (cells: Cells) => RowResult<NewRecord<K>>,
  onProgress: ImportProgress | undefined,
  opts: ImportOptions,
): ImportReport {
  const [header, ...rows] = parseCsv(text);
  if (!header) return { total: 0, added: 0, errors: [] };
  const columns = header.cells.map((h) => h.trim());
  const unknown = columns.filter((h) => !known(h));
  if (unknown.length > 0) {
    return { total: rows.length, added: 0, errors: [{ line: header.line, key: '', message: `unknown column(s): ${unknown.join(', ')}` }] };
  }
  const errors: ImportRowError[] = [];
  let added = 0;
  const batch = opts.batchSize ?? 1000;
  for (let start = 0; start < rows.length; start += batch) {
    store.transaction(() => {
      for (const row of rows.slice(start, start + batch)) added += importRow(store, kind, row, columns, build, errors, opts);
    });
    onProgress?.(Math.min(start + batch, rows.length), rows.length);
  }
  return { total: rows.length, added, errors };
}

function importRow<K extends 'user' | 'phone'>(
  store: DirectoryStore,
  kind: K,
  row: CsvRow,
  columns: readonly string[],
  build: (cells: Cells) => RowResult<NewRecord<K>>,
  errors: ImportRowError[],
  opts: WriteOptions,
): number {
  const cells = new Map(columns.map((c, i) => [c, row.cells[i] ?? '']));
  const key = (cells.get(kind === 'user' ? 'userid' : 'name') ?? '').trim();
  if (row.cells.length > columns.length) {
    errors.push({ line: row.line, key, message: `${row.cells.length} cells but ${columns.length} columns` });
    return 0;
  }
  const built = build(cells);
  if ('error' in built) {
    errors.push({ line: row.line, key, message: built.error });
    return 0;
  }
  const result = store.add(kind, built.record, opts);
  if (!result.ok) {
    errors.push({ line: row.line, key, message: result.error.message });
    return 0;
  }
  return 1;
}

/** Imports users.csv (columns in the module header); returns a per-row error report. */
export function importUsersCsv(store: DirectoryStore, text: string, onProgress?: ImportProgress, opts: ImportOptions = {}): ImportReport {
  return runImport(store, 'user', text, (c) => USER_COLUMNS.has(c), userFromCells, onProgress, opts);
}

/** Imports phones.csv (columns in the module header); returns a per-row error report. */
export function importPhonesCsv(store: DirectoryStore, text: string, onProgress?: ImportProgress, opts: ImportOptions = {}): ImportReport {
  const known = (c: string) => PHONE_COLUMNS.has(c) || PHONE_SLOT_COLUMN.test(c);
  return runImport(store, 'phone', text, known, phoneFromCells, onProgress, opts);
}
