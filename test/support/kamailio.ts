/**
 * Starts Kamailio (Debian `kamailio` + `kamailio-presence-modules`) as a test peer on loopback with
 * our own config (fixtures/kamailio/presence-server.cfg), a free UDP port and its own temp dir.
 *
 * Rule 1: foreground (`-DD -E`), one child process owned by the test; `stop()` ends it by pid
 *         (TERM, then KILL after 5 s) and removes the temp dir.
 * Rule 2: `restart()` keeps the port and starts with a fresh database: every publication is lost,
 *         like an IM server that crashed.
 * Rule 3: a missing binary or module → `kamailioMissing()` says why (tests skip, or fail when
 *         REQUIRE_INTEROP=1).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const CFG = resolve('fixtures/kamailio/presence-server.cfg');
const SQL_DIR = '/usr/share/kamailio/db_sqlite';
const MODULE_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

/** Why Kamailio cannot run here, or undefined when it can (Rule 3). */
export function kamailioMissing(): string | undefined {
  if (spawnSync('kamailio', ['-v']).status !== 0) return 'kamailio binary not installed';
  for (const m of ['presence.so', 'presence_xml.so', 'presence_dialoginfo.so', 'db_sqlite.so']) {
    if (!existsSync(join(MODULE_DIR, m))) return `kamailio module ${m} not installed (kamailio-presence-modules)`;
  }
  if (!existsSync(join(SQL_DIR, 'presence-create.sql'))) return 'kamailio db_sqlite schema not installed';
  return undefined;
}

/** A free UDP port on 127.0.0.1 (bound, read, released). */
export function freeUdpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createSocket('udp4');
    s.once('error', rej);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => res(port));
    });
  });
}

export interface KamailioPeer {
  readonly host: string;
  readonly port: number;
  /** stderr collected so far (diagnostics) */
  readonly log: () => string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function createDatabase(file: string): void {
  const db = new Database(file);
  db.exec(readFileSync(join(SQL_DIR, 'standard-create.sql'), 'utf8'));
  db.exec(readFileSync(join(SQL_DIR, 'presence-create.sql'), 'utf8'));
  db.close();
}

/** Sends OPTIONS until Kamailio answers (bounded: `timeoutMs`). */
async function waitReady(port: number, timeoutMs: number): Promise<boolean> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let answered = false;
  sock.on('message', (m) => {
    if (m.toString().startsWith('SIP/2.0 200')) answered = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; !answered && Date.now() < deadline; i++) {
    const lp = sock.address().port;
    const msg = [
      `OPTIONS sip:ping@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bK-ping-${Date.now()}-${i};rport`,
      'Max-Forwards: 70', `From: <sip:probe@127.0.0.1>;tag=p${i}`, `To: <sip:ping@127.0.0.1:${port}>`,
      `Call-ID: ping-${Date.now()}-${i}@127.0.0.1`, `CSeq: ${i + 1} OPTIONS`, 'Content-Length: 0', '', '',
    ].join('\r\n');
    sock.send(msg, port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 100));
  }
  sock.close();
  return answered;
}

/** Starts Kamailio on a free port (Rule 1). Throws when it does not come up within 60 s. */
export async function startKamailio(): Promise<KamailioPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'blfgw-kamailio-'));
  const port = await freeUdpPort();
  let child: ChildProcess | undefined;
  let stderr = '';

  const launch = async (): Promise<void> => {
    const dbFile = join(dir, 'presence.db');
    rmSync(dbFile, { force: true });
    createDatabase(dbFile);
    child = spawn('kamailio', [
      '-f', CFG, '-DD', '-E', '-m', '64', '-M', '8', '-Y', dir,
      '-A', `KAM_LISTEN=udp:127.0.0.1:${port}`,
      '-A', `KAM_DBURL="sqlite://${dbFile}"`,
      '-A', `KAM_SRVADDR="sip:presence@127.0.0.1:${port}"`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    if (!(await waitReady(port, 60_000))) {
      await halt();
      throw new Error(`kamailio did not answer OPTIONS on 127.0.0.1:${port}\n${stderr}`);
    }
  };

  const halt = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    host: '127.0.0.1',
    port,
    log: () => stderr,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
