/**
 * Hot reload in a temp directory: a broken edit is reported with file:line and the last good
 * dialplan stays live; a good edit replaces it.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DialplanWatcher, formatDialplanError, type DialplanReload } from '../../../../src/adapters/dialplan-files/index.js';

/** Collects reloads; `next()` resolves with the next one (or a queued one). */
class ReloadQueue {
  private readonly queued: DialplanReload[] = [];
  private waiter: ((r: DialplanReload) => void) | undefined;

  push(r: DialplanReload): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(r);
    } else this.queued.push(r);
  }

  next(timeoutMs = 60_000): Promise<DialplanReload> {
    const q = this.queued.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error('no reload within timeout'));
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(t);
        resolve(r);
      };
    });
  }

  /** Skips reloads until one satisfies `pred` (an editor's write can fire fs.watch twice). */
  async until(pred: (r: DialplanReload) => boolean): Promise<DialplanReload> {
    for (;;) {
      const r = await this.next();
      if (pred(r)) return r;
    }
  }
}

describe('DialplanWatcher', () => {
  let dir: string;
  let watcher: DialplanWatcher;
  const reloads = new ReloadQueue();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'blfgw-watch-'));
    cpSync('fixtures/dialplans/minimal', dir, { recursive: true });
    watcher = new DialplanWatcher(dir, { onReload: (r) => reloads.push(r) }, { debounceMs: 200 });
    const first = await watcher.start();
    assert.ok(first.ok);
  });
  after(() => {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with the directory dialplan live', () => {
    assert.equal(watcher.current?.parts.params?.domain, 'example.test');
  });

  it('reports a broken edit with its file and line and keeps the last good dialplan', async () => {
    const file = join(dir, 'dialplan.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('partitions: [Internal_PT]', 'partitions: [Internal_PT, Typo_PT]'));
    const r = await reloads.until((x) => !x.ok && x.errors.some((e) => e.message.includes('Typo_PT')));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(r.errors.map(formatDialplanError), [
      `${file}:7:31: calling search space 'Internal_CSS': unknown partition 'Typo_PT'`,
    ]);
    assert.equal(r.lastGood?.parts.params?.domain, 'example.test');
    assert.equal(watcher.current?.parts.params?.domain, 'example.test');
    writeFileSync(file, text);
    const fixed = await reloads.until((x) => x.ok);
    assert.equal(watcher.current, fixed);
  });

  it('applies a good edit, including a new file', async () => {
    writeFileSync(join(dir, 'more.yaml'), 'partitions:\n  - name: Exec_PT\n');
    const r = await reloads.until((x) => x.ok && x.parts.partitions?.length === 2);
    assert.ok(r.ok);
    assert.deepEqual(r.parts.partitions?.map((p) => p.name), ['Internal_PT', 'Exec_PT']);
    assert.equal(watcher.current, r);
  });

  it('ignores files that are not YAML', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    while (await reloads.next(1).then(() => true, () => false));
    writeFileSync(join(dir, 'notes.txt'), 'not a dialplan');
    await assert.rejects(reloads.next(1500), /no reload/);
  });
});
