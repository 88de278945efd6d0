/**
 * Encodes style.md §2 ("Who may import whom") as a test: every import in src/ is checked against the
 * layer table, and cross-folder imports must go through the target folder's index.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SRC = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

/** layer of a file: core | sip | sccp | adapters/<name> | app | rigs */
function layerOf(file: string): string {
  const parts = relative(SRC, file).split(/[\\/]/);
  return parts[0] === 'adapters' ? `adapters/${parts[1]}` : parts[0]!;
}

function nodeAllowed(file: string): boolean {
  const rel = relative(SRC, file).replace(/\\/g, '/');
  if (rel.startsWith('core/')) return false;
  if (rel.startsWith('sip/')) return rel.startsWith('sip/transport/');
  if (rel.startsWith('sccp/')) return rel === 'sccp/sccp-tcp-server.ts';
  return true;
}

const MAY_IMPORT: Record<string, (target: string) => boolean> = {
  core: (t) => t === 'core',
  sip: (t) => t === 'sip',
  sccp: (t) => t === 'sccp',
  app: () => true,
  rigs: (t) => t === 'rigs' || t === 'sip' || t === 'sccp',
};

function allowed(from: string, to: string): boolean {
  if (from.startsWith('adapters/')) return to === from || to === 'core' || to === 'sip' || to === 'sccp';
  return MAY_IMPORT[from]?.(to) ?? false;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const from = layerOf(file);
    // the compiler's own pre-parser: sees import/export/dynamic import, never strings or comments
    for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
      const where = relative('.', file);
      if (spec.startsWith('node:')) {
        if (!nodeAllowed(file)) found.push(`${where}: ${spec} (node:* not allowed in this layer)`);
        continue;
      }
      if (!spec.startsWith('.')) {
        if (from === 'core') found.push(`${where}: ${spec} (core imports nothing outside core)`);
        continue;
      }
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC)) continue;
      const to = layerOf(target);
      if (!allowed(from, to)) found.push(`${where}: ${spec} (${from} may not import ${to})`);
      else if (to !== from && !/[\\/]index\.js$/.test(spec)) found.push(`${where}: ${spec} (import ${to} through its index.ts)`);
    }
  }
  return found;
}

test('every import in src/ respects the layer table of style.md §2', () => {
  assert.deepEqual(violations(), []);
});

test('the checker itself flags a forbidden import', () => {
  assert.equal(allowed('core', 'sip'), false);
  assert.equal(allowed('adapters/b2bua', 'adapters/axl'), false);
  assert.equal(allowed('rigs', 'core'), false);
  assert.equal(nodeAllowed(join(SRC, 'sip/message/parser.ts')), false);
  assert.equal(nodeAllowed(join(SRC, 'sip/transport/udp-transport.ts')), true);
});
