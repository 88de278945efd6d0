import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, pickMostInteresting, renderDialogInfo, xmlId, type LineDialog } from '../../../../src/core/index.js';
import { DIALOG_INFO_CASES, ENTITY } from './golden-cases.js';

const escapeRows: ReadonlyArray<readonly [string, string]> = [
  ['plain', 'plain'],
  ['a&b', 'a&amp;b'],
  ['<"x">', '&lt;&quot;x&quot;&gt;'],
  ["it's", 'it&apos;s'],
  ['bell\u0007', 'bell'],
];
for (const [input, expected] of escapeRows) {
  test(`escapeXml(${JSON.stringify(input)})`, () => assert.equal(escapeXml(input), expected));
}

const idRows: ReadonlyArray<readonly [string, string, string]> = [
  ['cmp-', '2001-1', 'cmp-2001-1'],
  ['p-', '+1 408', 'p-_1_408'],
];
for (const [prefix, text, expected] of idRows) {
  test(`xmlId(${prefix}, ${text})`, () => assert.equal(xmlId(prefix, text), expected));
}

test('every dialog-info document has at least one <dialog> and the version it was given', () => {
  for (const c of DIALOG_INFO_CASES) {
    const body = renderDialogInfo({ entity: ENTITY, version: c.version, snapshot: c.snapshot, singleDialogPerDocument: c.single ?? false });
    assert.match(body, /<dialog[ >]/, c.name);
    assert.ok(body.includes(`version="${c.version}" state="full" entity="${ENTITY}"`), c.name);
  }
});

const d = (id: string, state: LineDialog['state']): LineDialog => ({
  id, callId: id, direction: 'recipient', state, local: { uri: 'sip:a@x' }, remote: { uri: 'sip:b@x' },
});
const pickRows: ReadonlyArray<readonly [LineDialog[], string | undefined]> = [
  [[], undefined],
  [[d('t', 'trying'), d('c', 'confirmed')], 'c'],
  [[d('c', 'confirmed'), d('e', 'early')], 'e'],
  [[d('p', 'proceeding'), d('t', 'trying')], 'p'],
];
for (const [dialogs, expected] of pickRows) {
  test(`pickMostInteresting(${dialogs.map((x) => x.state).join(',')}) = ${expected}`, () => {
    assert.equal(pickMostInteresting(dialogs)?.id, expected);
  });
}
