/**
 * `blfgw import users.csv|phones.csv [--kind users|phones] [--db FILE] [--dialplan DIR]`: BAT-style bulk
 * import into the directory store, with a progress bar on a TTY and a per-row error report. A bad row
 * never half-applies; the exit code is 1 when any row failed.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDirectory, type ExternalNames, type Directory } from '../../core/index.js';
import { loadDialplan, formatDialplanError } from '../../adapters/dialplan-files/index.js';
import {
  createSqliteDirectoryStore,
  importPhonesCsv,
  importUsersCsv,
  openSqliteDatabase,
} from '../../adapters/sqlite-store/index.js';

/** Names the dialplan files define, which store rows may reference (partitions, CSSs, groups…). */
export function fileDefinedNames(dir: Directory): ExternalNames {
  return (kind, key) => {
    switch (kind) {
      case 'partition': return dir.partitions.has(key);
      case 'css': return dir.callingSearchSpaces.has(key);
      case 'presenceGroup': return dir.presenceGroups.has(key);
      case 'user': return dir.users.has(key);
      case 'phone': return dir.devices.has(key);
      case 'line': return dir.lines.has(key);
      default: return false;
    }
  };
}

function progressBar(label: string): (done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => undefined;
  let last = -1;
  return (done, total) => {
    const pct = total === 0 ? 100 : Math.floor((done * 100) / total);
    if (pct === last) return;
    last = pct;
    const bar = '#'.repeat(Math.floor(pct / 4)).padEnd(25, '.');
    process.stderr.write(`\r${label} [${bar}] ${pct}% (${done}/${total})${done === total ? '\n' : ''}`);
  };
}

export async function runImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      db: { type: 'string', default: 'var/blfgw.db' },
      dialplan: { type: 'string', default: 'dialplans' },
    },
  });
  const file = positionals[0];
  if (!file) {
    console.error('blfgw import: give a users.csv or phones.csv file');
    return 2;
  }
  const kind = values.kind ?? (/phone/i.test(basename(file)) ? 'phones' : 'users');
  if (kind !== 'users' && kind !== 'phones') {
    console.error(`blfgw import: --kind must be users or phones, not '${kind}'`);
    return 2;
  }
  const loaded = await loadDialplan(values.dialplan!);
  if (!loaded.ok) {
    for (const e of loaded.errors) console.error(formatDialplanError(e));
    return 1;
  }
  const external = fileDefinedNames(buildDirectory(loaded.parts));
  const db = openSqliteDatabase(values.db!);
  try {
    const store = createSqliteDirectoryStore(db);
    const text = readFileSync(file, 'utf8');
    const run = kind === 'users' ? importUsersCsv : importPhonesCsv;
    const report = run(store, text, progressBar(`importing ${kind}`), { external });
    for (const e of report.errors) console.error(`${file}:${e.line}: ${e.key}: ${e.message}`);
    console.log(`${file}: ${report.added} of ${report.total} ${kind} imported, ${report.errors.length} row(s) rejected`);
    return report.errors.length === 0 ? 0 : 1;
  } finally {
    db.close();
  }
}
