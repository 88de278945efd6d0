/**
 * Data-driven runner over fixtures/dialplans/broken-*: each line marked `# expect: <code>` must
 * carry exactly one error of that code, at that file and line, and no other error may appear.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatDialplanError, loadDialplan } from '../../../../src/adapters/dialplan-files/index.js';

const ROOT = 'fixtures/dialplans';

function expectedErrors(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = /# expect: ([a-z-]+)/.exec(text);
        if (m) out.push(`${join(dir, name)}:${i + 1} ${m[1]}`);
      });
  }
  return out.sort();
}

const dirs = readdirSync(ROOT).filter((n) => n.startsWith('broken-')).sort();

describe('broken dialplan fixtures', () => {
  it('has fixtures to run', () => assert.ok(dirs.length >= 10));
  for (const name of dirs) {
    it(`${name}: every expected error at its file and line, nothing else`, async () => {
      const dir = join(ROOT, name);
      const result = await loadDialplan(dir);
      assert.equal(result.ok, false, `${name} must not validate`);
      if (result.ok) return;
      const actual = result.errors.map((e) => `${e.file}:${e.line} ${e.code}`).sort();
      const printed = result.errors.map(formatDialplanError).join('\n');
      assert.deepEqual(actual, expectedErrors(dir), `errors were:\n${printed}`);
      for (const e of result.errors) assert.ok(e.col >= 1, `column missing: ${formatDialplanError(e)}`);
    });
  }
});
