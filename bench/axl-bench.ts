/**
 * AXL bench (issue 7): listUser of N users through the facade, paged as sync clients do
 * (searchCriteria userid=%, returnedTags, skip/first over HTTPS with Basic auth), and BAT CSV import of
 * N users into SQLite. The peer figure is the seed's quoted CUCM sync rate: 15,000 users in 15 minutes
 * (16.7 users/s); it is a quoted number, not a measurement made here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDirectory } from '../src/core/index.js';
import { createSqliteDirectoryStore, importUsersCsv, openSqliteDatabase } from '../src/adapters/sqlite-store/index.js';
import { startAxlServer } from '../src/adapters/axl/index.js';

export interface BenchRow {
  name: string;
  ours: number;
  peer: number | null;
  peerName: string;
  unit: string;
  target?: string;
}

export interface AxlBenchOptions {
  /** users to import and list (default 160,000: the seed's sync maximum) */
  readonly users?: number;
  /** listUser page size (`first`), default 1000 */
  readonly pageSize?: number;
}

const CUCM_QUOTED_USERS_PER_S = 15_000 / (15 * 60);
const PEER_NAME = 'CUCM sync as quoted by the seed (15,000 users in 15 min), not measured here';

function usersCsv(n: number): string {
  const lines = ['userid,firstName,lastName,department,mailid'];
  for (let i = 0; i < n; i++) {
    const id = `user${String(i).padStart(6, '0')}`;
    lines.push(`${id},First${i},Last${i},Dept${i % 50},${id}@acme.test`);
  }
  return lines.join('\n');
}

function post(url: string, body: string, op: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          SOAPAction: `"CUCM:DB ver=14.0 ${op}"`,
          Authorization: `Basic ${Buffer.from('axladmin:secret').toString('base64')}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs both measurements; returns one row each (users per second). */
export async function runAxlBench(opts: AxlBenchOptions = {}): Promise<BenchRow[]> {
  const n = opts.users ?? 160_000;
  const page = opts.pageSize ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), 'blfgw-axl-bench-'));
  const db = openSqliteDatabase(join(dir, 'bench.db'));
  try {
    const store = createSqliteDirectoryStore(db);
    const csv = usersCsv(n);
    let t0 = performance.now();
    const report = importUsersCsv(store, csv, undefined, { batchSize: 5000 });
    const importSeconds = (performance.now() - t0) / 1000;
    if (report.added !== n) throw new Error(`import added ${report.added} of ${n}: ${report.errors[0]?.message}`);

    const directory = buildDirectory({});
    const server = await startAxlServer({ store, getDirectory: () => directory, users: [{ username: 'axladmin', password: 'secret' }], port: 0, host: '127.0.0.1' });
    let listed = 0;
    t0 = performance.now();
    try {
      for (let skip = 0; ; skip += page) {
        const body =
          '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns="http://www.cisco.com/AXL/API/14.0"><soapenv:Body>' +
          `<ns:listUser><searchCriteria><userid>%</userid></searchCriteria><returnedTags><userid/><firstName/><lastName/><department/></returnedTags><skip>${skip}</skip><first>${page}</first></ns:listUser>` +
          '</soapenv:Body></soapenv:Envelope>';
        const xml = await post(server.url, body, 'listUser');
        const rows = xml.split('<user uuid=').length - 1;
        listed += rows;
        if (rows < page) break;
      }
    } finally {
      await server.close();
    }
    const listSeconds = (performance.now() - t0) / 1000;
    if (listed !== n) throw new Error(`listUser returned ${listed} of ${n}`);
    return [
      { name: `AXL listUser, ${n} users, pages of ${page}`, ours: n / listSeconds, peer: CUCM_QUOTED_USERS_PER_S, peerName: PEER_NAME, unit: 'users/s', target: '≥ 16.7 users/s' },
      { name: `BAT CSV import, ${n} users into SQLite`, ours: n / importSeconds, peer: CUCM_QUOTED_USERS_PER_S, peerName: PEER_NAME, unit: 'users/s', target: '≥ 16.7 users/s' },
    ];
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
