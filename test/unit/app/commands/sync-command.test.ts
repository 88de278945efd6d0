/**
 * `blfgw sync` between two gateways (issue 7): gateway A gets data over AXL (canned envelopes), the
 * command pulls it into B's SQLite file and follows A's listChange; an update, an add and a removal
 * on A arrive in the file; stopping ends the command with 0; gateway B started on the file sees the
 * synced phone on its line. Usage errors exit 2, an unreachable or refusing server exits 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { lineKey } from '../../../../src/core/index.js';
import { createSqliteDirectoryStore, openSqliteDatabase } from '../../../../src/adapters/sqlite-store/index.js';
import { startGateway } from '../../../../src/app/gateway.js';
import { createLogger } from '../../../../src/app/logger.js';
import { syncCommand } from '../../../../src/app/commands/sync-command.js';
import { postAxlFixture } from '../../../support/axl-fixture-client.js';

const QUIET = createLogger({ level: 'error', json: true, stream: new Writable({ write(_c, _e, done) { done(); } }) });
const PORTS = { bindHost: '127.0.0.1', sipPort: 0, sipTlsPort: null, wsPort: null, sccpPort: null, httpPort: null } as const;

function io(stop = new AbortController().signal) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stop } };
}

/** Reads the synced file through a fresh connection (what another process would see). */
function readFile(file: string) {
  const db = openSqliteDatabase(file);
  try {
    const store = createSqliteDirectoryStore(db);
    const user = store.get('user', { key: 'oortiz' });
    const phone = store.get('phone', { key: 'SEP000000004001' });
    return {
      firstName: user.ok ? user.value.firstName : undefined,
      userGone: !user.ok,
      lines: phone.ok ? phone.value.lines.map((l) => l.pattern) : [],
      partition: store.get('partition', { key: 'Sync_PT' }).ok,
    };
  } finally {
    db.close();
  }
}

async function eventually<T>(what: string, probe: () => T, ok: (v: T) => boolean): Promise<T> {
  let last = probe();
  for (let i = 0; i < 150 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 100));
    last = probe();
  }
  assert.ok(ok(last), `${what}: last seen ${JSON.stringify(last)}`);
  return last;
}

test('blfgw sync: usage errors exit 2 and name the problem', async () => {
  for (const args of [[], ['--from', 'not a url', '--user', 'u', '--password', 'p'], ['--from', 'ftp://x/axl/', '--user', 'u', '--password', 'p'], ['--bogus']]) {
    const c = io();
    assert.equal(await syncCommand(args, c.io), 2, args.join(' '));
    assert.match(c.err.join('\n'), /usage: blfgw sync --from/);
  }
});

test('blfgw sync: pulls from gateway A into a file, follows changes until stopped; gateway B sees the result', { timeout: 300_000 }, async () => {
  const a = await startGateway({ ...PORTS, dialplanDir: 'dialplans', dbFile: ':memory:', axlPort: 0 }, QUIET);
  assert.ok(a);
  const url = `https://127.0.0.1:${a.ports.axl}/axl/`;
  const file = join(mkdtempSync(join(tmpdir(), 'blfgw-sync-')), 'b.db');
  const stop = new AbortController();
  const c = io(stop.signal);
  let running: Promise<number> | undefined;
  try {
    for (const name of ['add-route-partition', 'add-line-4001', 'add-line-4002', 'add-phone-sep000000004001', 'add-user-oortiz']) {
      assert.equal((await postAxlFixture(url, name)).status, 200, name);
    }
    const refused = io();
    assert.equal(await syncCommand(['--from', url, '--user', 'axladmin', '--password', 'wrong', '--db', file, '--insecure'], refused.io), 1);
    assert.match(refused.err.join('\n'), /401/);
    const untrusted = io();
    assert.equal(await syncCommand(['--from', url, '--user', 'axladmin', '--password', 'secret', '--db', file], untrusted.io), 1, 'a self-signed server needs --insecure');

    running = syncCommand(['--from', url, '--user', 'axladmin', '--password', 'secret', '--db', file, '--insecure', '--follow', '--poll-ms', '100'], c.io);
    await eventually('pulled', () => readFile(file), (s) => s.partition && s.firstName === 'Olga' && s.lines.join() === '4001');
    assert.match(c.out.join('\n'), /pulled 5 object\(s\)/);

    assert.equal((await postAxlFixture(url, 'update-user-oortiz')).status, 200);
    assert.equal((await postAxlFixture(url, 'update-phone-add-lines')).status, 200);
    await eventually('update + addLines followed', () => readFile(file), (s) => s.firstName === 'Olga-Maria' && s.lines.join() === '4001,4002');
    assert.equal((await postAxlFixture(url, 'remove-user-oortiz')).status, 200);
    await eventually('removal followed', () => readFile(file), (s) => s.userGone);

    stop.abort();
    assert.equal(await running, 0, c.err.join('\n'));
    running = undefined;
    assert.match(c.out.join('\n'), /stopped after \d+ change\(s\)/);

    const b = await startGateway({ ...PORTS, dialplanDir: 'dialplans', dbFile: file, axlPort: null }, QUIET);
    assert.ok(b);
    try {
      const dir = b.context.directory.directory;
      assert.deepEqual(dir.appearancesByLine.get(lineKey('4002', 'Sync_PT'))?.map((x) => x.device), ['SEP000000004001']);
      assert.equal(dir.users.has('oortiz'), false);
    } finally {
      await b.close();
    }
  } finally {
    stop.abort();
    await running;
    await a.close();
  }
});
