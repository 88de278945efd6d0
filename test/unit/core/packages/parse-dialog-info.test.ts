/** The dialog-info reader over the golden documents in fixtures/dialog-info (one row per file). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDialogInfo } from '../../../../src/core/index.js';

const ROWS: ReadonlyArray<readonly [file: string, states: string[]]> = [
  ['idle.xml', ['terminated']],
  ['unknown.xml', ['terminated']],
  ['ringing-pickup.xml', ['early']],
  ['held.xml', ['confirmed']],
  ['two-calls.xml', ['confirmed', 'early']],
];

for (const [file, states] of ROWS) {
  test(`dialog-info ${file} → ${states.join(', ')}`, () => {
    const parsed = parseDialogInfo(readFileSync(`fixtures/dialog-info/${file}`, 'utf8'), 'sip:2001@acme.test');
    assert.ok('dialogs' in parsed, JSON.stringify(parsed));
    assert.deepEqual(parsed.dialogs.map((d) => d.state).sort(), [...states].sort());
  });
}

test('the <dialog-info> root is not read as a <dialog>', () => {
  const parsed = parseDialogInfo('<dialog-info version="1" state="full" entity="sip:a@b"></dialog-info>', 'sip:a@b');
  assert.deepEqual(parsed, { dialogs: [] });
});

test('a dialog without a state is a peer error', () => {
  const parsed = parseDialogInfo('<dialog-info><dialog id="x"></dialog></dialog-info>', 'sip:a@b');
  assert.ok('error' in parsed);
});

const MALFORMED: ReadonlyArray<readonly [name: string, xml: string]> = [
  ['truncated in a tag', '<dialog-info><dialog'],
  ['an element left open', '<dialog-info><dialog id="x"><state>early</state></dialog>'],
  ['closed by another name', '<dialog-info><dialog id="x"><state>early</dialog></state></dialog-info>'],
  ['two roots', '<dialog-info></dialog-info><dialog-info></dialog-info>'],
  ['text after the root', '<dialog-info></dialog-info>junk'],
  ['a DTD', '<!DOCTYPE x [<!ENTITY a "b">]><dialog-info></dialog-info>'],
  ['another root element', '<presence><dialog-info></dialog-info></presence>'],
  ['empty', ''],
  ['a character reference to no character', '<dialog-info><dialog id="&#xFFFFFF;"><state>early</state></dialog></dialog-info>'],
  ['a character reference to NUL', '<dialog-info><dialog id="&#0;"><state>early</state></dialog></dialog-info>'],
];
for (const [name, xml] of MALFORMED) {
  test(`not a well-formed dialog-info document (${name}) is a peer error`, () => {
    const parsed = parseDialogInfo(xml, 'sip:a@b');
    assert.ok('error' in parsed, JSON.stringify(parsed));
  });
}

test('a declaration, comments, CDATA, quoted ">" and self-closing elements are well formed', () => {
  const xml = '<?xml version="1.0"?>\n<!-- c --><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" entity="sip:a@b">'
    + '<dialog id="d&gt;1" call-id="c>1"><state>early</state><local><identity display="A > B">sip:a@b</identity><target uri="sip:a@b"/></local>'
    + '<note><![CDATA[</dialog>]]></note></dialog></dialog-info>\n';
  const parsed = parseDialogInfo(xml, 'sip:a@b');
  assert.ok('dialogs' in parsed, JSON.stringify(parsed));
  assert.deepEqual(parsed.dialogs.map((d) => [d.id, d.callId, d.state]), [['d>1', 'c>1', 'early']]);
});

test('hostile bodies: 3,000 seeded mutations of the golden documents never throw, and a read is a dialog list or an error', () => {
  let seed = 0x5eed;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const PIECES = ['<', '>', '"', "'", '/', '</dialog>', '<dialog id="x">', '<!--', '<![CDATA[', '&amp;', '&#xFFFFFF;', '<?', '\0', 'é'];
  const docs = ROWS.map(([file]) => readFileSync(`fixtures/dialog-info/${file}`, 'utf8'));
  for (let i = 0; i < 3000; i++) {
    let doc = docs[rand(docs.length)]!;
    for (let m = 1 + rand(4); m > 0; m--) {
      const at = rand(doc.length + 1);
      const op = rand(3);
      if (op === 0) doc = doc.slice(0, at) + PIECES[rand(PIECES.length)] + doc.slice(at);
      else if (op === 1) doc = doc.slice(0, at) + doc.slice(at + 1 + rand(20));
      else doc = doc.slice(0, at);
    }
    const parsed = parseDialogInfo(doc, 'sip:2001@acme.test');
    assert.ok('error' in parsed ? typeof parsed.error === 'string' : Array.isArray(parsed.dialogs), doc);
  }
});
