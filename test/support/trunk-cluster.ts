/**
 * Helpers for the trunk interop tests (issue 6): gateways on their own loopback address with a
 * dialplan derived from dialplans/ (trunk + route pattern written after the peer's port is known),
 * a quiet in-memory logger, bounded SIPp runs and bounded waits.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/app/logger.js';

export const SIPP_FIXTURES = resolve('fixtures/sipp');

export function freePort(host: string): Promise<number> {
  return new Promise((res, rej) => {
    const s = createSocket('udp4');
    s.once('error', rej);
    s.bind(0, host, () => {
      const port = s.address().port;
      s.close(() => res(port));
    });
  });
}

export function routing(trunk: string, host: string, port: number, peer: string, pattern: string): string {
  return [
    'trunks:',
    `  - name: ${trunk}`,
    `    destination: { host: ${host}, port: ${port}, transport: udp }`,
    '    domain: acme.test',
    `    accessList: [${peer}/32]`,
    '    subscribeCss: Internal_CSS',
    '    callingCss: Internal_CSS',
    'routePatterns:',
    `  - { pattern: ${pattern}, partition: Trunk_PT, trunk: ${trunk} }`,
    '',
  ].join('\n');
}

/** Cluster dialplans derived from dialplans/: B renumbers 1XXX lines to 8XXX. */
export function writeDialplan(dir: string, routingYaml: string, renumber: boolean): void {
  cpSync('dialplans', dir, { recursive: true });
  writeFileSync(join(dir, 'routing.yaml'), routingYaml);
  if (!renumber) return;
  for (const f of ['lines.yaml', 'phones.yaml']) {
    writeFileSync(join(dir, f), readFileSync(join(dir, f), 'utf8').replace(/"100(\d)"/g, '"800$1"'));
  }
}

export function quietLogger(lines: string[]) {
  const stream = new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); if (lines.length > 2000) lines.shift(); done(); } });
  return createLogger({ level: 'info', json: true, stream });
}

export function runSipp(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  const child = spawn('sipp', [...args, '-m', '1', '-nostdin', '-timeout', `${Math.round(timeoutMs / 1000)}s`, '-timeout_error'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000); });
  child.stderr!.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-4000); });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000);
  return new Promise((r) => child.once('exit', (code) => { clearTimeout(timer); r({ code, output }); }));
}

export { until } from './until.js';

