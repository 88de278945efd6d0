// Issue 6: incoming trunk access list (source IP / CIDR → trunk; others are not a trunk → 403).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipInCidr, trunkForSource } from '../../../../src/adapters/trunk/index.js';
import { buildDirectory } from '../../../../src/core/index.js';
import { sampleParts } from '../../core/sample-directory.js';

const rows: [string, string, boolean][] = [
  ['127.0.0.1', '127.0.0.1/32', true],
  ['127.0.0.2', '127.0.0.1/32', false],
  ['10.1.2.3', '10.0.0.0/8', true],
  ['11.1.2.3', '10.0.0.0/8', false],
  ['192.168.5.130', '192.168.5.128/25', true],
  ['192.168.5.127', '192.168.5.128/25', false],
  ['10.0.0.1', '10.0.0.1', true],
  ['::1', '::1/128', true],
  ['2001:db8::5', '2001:db8::/32', true],
  ['2001:db9::5', '2001:db8::/32', false],
  ['::ffff:10.0.0.9', '10.0.0.0/24', true],
  ['10.0.0.9', '2001:db8::/32', false],
  ['10.0.0.9', 'not-an-ip/8', false],
  ['10.0.0.9', '10.0.0.0/33', false],
  ['0.0.0.0', '0.0.0.0/0', true],
];

for (const [ip, cidr, expected] of rows) {
  test(`ipInCidr(${ip}, ${cidr}) = ${expected}`, () => assert.equal(ipInCidr(ip, cidr), expected));
}

test('trunkForSource: the trunk whose access list admits the source, else undefined', () => {
  const parts = sampleParts();
  const dir = buildDirectory({
    ...parts,
    trunks: (parts.trunks ?? []).map((t) => (t.name === 'cluster-b' ? { ...t, accessList: ['10.20.0.0/16'] } : t.name === 'partner' ? { ...t, accessList: ['192.0.2.7'] } : t)),
  });
  assert.equal(trunkForSource(dir, '10.20.3.4')?.name, 'cluster-b');
  assert.equal(trunkForSource(dir, '192.0.2.7')?.name, 'partner');
  assert.equal(trunkForSource(dir, '192.0.2.8'), undefined);
});
