import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decimalDigits, utf8Length } from '../../../../src/core/render/index.js';

test('utf8Length counts what Buffer.byteLength counts, lone surrogates included', () => {
  const cases = ['', 'plain ascii', 'Zoë', '€ and ☎', '𝄞 clef', 'a\uD834', '\uDD1Eb', '\uD834\uD834\uDD1E', 'x'.repeat(1000) + 'é'];
  for (const s of cases) assert.equal(utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
});

test('decimalDigits', () => {
  assert.deepEqual([0, 9, 10, 99, 100, 4294967295].map(decimalDigits), [1, 1, 2, 2, 3, 10]);
});
