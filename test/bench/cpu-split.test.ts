import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fanoutCpuSplit, kamailioShim, pinned } from '../../bench/cpu-split.js';

const hasTaskset = spawnSync('sh', ['-c', 'command -v taskset']).status === 0;

test('cpu split: the load on CPU 0, the server on the others; off when asked, on one CPU or without taskset', { skip: !hasTaskset && 'no taskset' }, () => {
  assert.deepEqual(fanoutCpuSplit({}, 2), { load: '0', server: '1' });
  assert.deepEqual(fanoutCpuSplit({}, 4), { load: '0', server: '1-3' });
  assert.equal(fanoutCpuSplit({ BENCH_PIN: '0' }, 4), null);
  assert.equal(fanoutCpuSplit({}, 1), null);
});

test('cpu split: a pinned command is taskset around it', () => {
  assert.deepEqual(pinned('1', '/usr/bin/node', ['a.js', '--x']), ['taskset', ['-c', '1', '/usr/bin/node', 'a.js', '--x']]);
});

test('cpu split: the kamailio shim execs the real kamailio on the server CPUs', { skip: spawnSync('sh', ['-c', 'command -v kamailio']).status !== 0 && 'no kamailio' }, () => {
  const dir = kamailioShim(join(mkdtempSync(join(tmpdir(), 'blfgw-shim-')), 'bin'), { load: '0', server: '1' });
  const shim = join(dir, 'kamailio');
  assert.match(readFileSync(shim, 'utf8'), /^#!\/bin\/sh\nexec taskset -c 1 \/\S*kamailio "\$@"\n$/);
  assert.equal(statSync(shim).mode & 0o111, 0o111);
});
