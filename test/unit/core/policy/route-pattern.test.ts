import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countPatternMatches,
  matchRoutePattern,
  matchSipRoutePattern,
  parseRoutePattern,
  pickMostSpecific,
  type ParsedRoutePattern,
} from '../../../../src/core/policy/route-pattern.js';

function parsed(p: string): ParsedRoutePattern {
  const r = parseRoutePattern(p);
  if (!r.ok) throw new Error(`${p}: ${r.error}`);
  return r;
}

const matchRows: ReadonlyArray<readonly [pattern: string, digits: string, expected: boolean]> = [
  ['8XXX', '8123', true],
  ['8XXX', '812', false],
  ['8XXX', '81234', false],
  ['8XXX', '9123', false],
  ['[1-5]00', '300', true],
  ['[1-5]00', '600', false],
  ['[135]X', '37', true],
  ['[135]X', '27', false],
  ['[^0-3]X', '47', true],
  ['[^0-3]X', '27', false],
  ['9!', '91', true],
  ['9!', '914085551234', true],
  ['9!', '9', false],
  ['9.[2-9]XXXXXX', '92345678', true],
  ['9.[2-9]XXXXXX', '91345678', false],
  ['*67X', '*671', true],
  ['*67X', '67', false],
  ['#9', '#9', true],
  ['\\+1!', '+14085551234', true],
  ['\\+1!', '14085551234', false],
  ['+1X', '+15', true],
  ['1X+', '1555', true],
  ['1X+', '1', false],
  ['12?3', '13', true],
  ['12?3', '12223', true],
  ['X', 'a', false],
];

for (const [pattern, digits, expected] of matchRows) {
  test(`route pattern ${pattern} ${expected ? 'matches' : 'does not match'} ${digits}`, () => {
    assert.equal(matchRoutePattern(parsed(pattern), digits), expected);
  });
}

const errorRows: ReadonlyArray<readonly [pattern: string, fragment: string, position: number]> = [
  ['', 'empty', 0],
  ['9.@', 'not supported', 2],
  ['8[1-', 'unclosed', 1],
  ['8[]', 'empty set', 1],
  ['8[5-1]', 'bad range', 1],
  ['8[a]', 'not a digit', 1],
  ['8[^0-9]', 'excludes every digit', 1],
  ['8Y', "unexpected 'Y'", 1],
  ['\\9', "followed by '+'", 0],
  ['?1', 'no preceding', 0],
  ['1!+', 'repeated', 2],
  ['...', 'no digits', 0],
];

for (const [pattern, fragment, position] of errorRows) {
  test(`route pattern '${pattern}' is rejected (${fragment})`, () => {
    const r = parseRoutePattern(pattern);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.error, new RegExp(fragment.replace(/[[\]^+?]/g, '\\$&')));
    assert.equal(r.position, position);
  });
}

test('PreDot position is remembered', () => {
  assert.equal(parsed('9.[2-9]XXXXXX').preDot, 1);
  assert.equal(parsed('8XXX').preDot, undefined);
});

const countRows: ReadonlyArray<readonly [pattern: string, length: number, count: number]> = [
  ['8XXX', 4, 1000],
  ['8123', 4, 1],
  ['[1-5]XX', 3, 500],
  ['9!', 5, 10000],
  ['91!', 5, 1000],
  ['8XXX', 5, 0],
];
for (const [pattern, length, count] of countRows) {
  test(`${pattern} matches ${count} strings of length ${length}`, () => {
    assert.equal(countPatternMatches(parsed(pattern), length), count);
  });
}

const specificRows: ReadonlyArray<readonly [patterns: string[], digits: string, winner: string | undefined]> = [
  [['8XXX', '81XX', '8123'], '8123', '8123'],
  [['8XXX', '81XX', '8123'], '8124', '81XX'],
  [['8XXX', '81XX'], '8224', '8XXX'],
  [['!', '9!', '91!'], '9155', '91!'],
  [['!', '8XXX'], '8000', '8XXX'],
  [['8XXX', '[89]XXX'], '9000', '[89]XXX'],
  [['8XXX'], '7000', undefined],
  [['8XXX', '8XXX '], '8000', '8XXX'],
];
for (const [patterns, digits, winner] of specificRows) {
  test(`most specific of ${patterns.join(', ')} for ${digits} is ${winner}`, () => {
    const pick = pickMostSpecific(
      patterns,
      (p) => {
        const r = parseRoutePattern(p);
        return r.ok ? r : undefined;
      },
      digits,
    );
    assert.equal(pick, winner);
  });
}

const sipRows: ReadonlyArray<readonly [domain: string, host: string, expected: boolean]> = [
  ['partner.test', 'partner.test', true],
  ['partner.test', 'PARTNER.test', true],
  ['partner.test', 'partner.test:5060', true],
  ['partner.test', 'partnerxtest', false],
  ['partner.test', 'a.partner.test', false],
  ['*.partner.test', 'a.partner.test', true],
  ['*.partner.test', 'partner.test', false],
  ['partner.test', 'partner.test.evil', false],
  ['', 'partner.test', false],
];
for (const [domain, host, expected] of sipRows) {
  test(`SIP route pattern ${domain} ${expected ? 'matches' : 'does not match'} ${host}`, () => {
    assert.equal(matchSipRoutePattern(domain, host), expected);
  });
}
