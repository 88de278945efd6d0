/**
 * One runner over fixtures/sip/torture/{valid,invalid}/*.sip (our RFC 4475-style corpus).
 * First line of each fixture: `# valid: …` or `# invalid <status>: …`; the message follows (CRLF kept).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, serializeMessage, isParseError, getTopVia, getCSeq, type SipMessage } from '../../../../src/sip/index.js';

const ROOT = 'fixtures/sip/torture';

function load(file: string): { header: string; bytes: Buffer } {
  const raw = readFileSync(file);
  const nl = raw.indexOf('\r\n');
  return { header: raw.subarray(0, nl).toString(), bytes: raw.subarray(nl + 2) };
}

for (const name of readdirSync(join(ROOT, 'valid')).sort()) {
  test(`valid/${name}`, () => {
    const { header, bytes } = load(join(ROOT, 'valid', name));
    assert.match(header, /^# valid: /);
    const m = parseMessage(bytes);
    assert.ok(!isParseError(m), isParseError(m) ? `${m.status} ${m.reason}` : '');
    const msg = m as SipMessage;
    assert.ok(getTopVia(msg) !== null && getCSeq(msg) !== null);
    const again = parseMessage(serializeMessage(msg)) as SipMessage;
    assert.ok(!isParseError(again));
    assert.deepEqual([...again.headers.entries()].filter(([n]) => !/^(content-length|l)$/i.test(n)),
      [...msg.headers.entries()].filter(([n]) => !/^(content-length|l)$/i.test(n)));
    assert.deepEqual(again.body, msg.body);
  });
}

for (const name of readdirSync(join(ROOT, 'invalid')).sort()) {
  test(`invalid/${name}`, () => {
    const { header, bytes } = load(join(ROOT, 'invalid', name));
    const expected = /^# invalid (\d{3}): /.exec(header);
    assert.ok(expected, 'first line must be "# invalid <status>: …"');
    const r = parseMessage(bytes);
    assert.ok(isParseError(r), 'must be rejected');
    assert.equal(r.status, Number(expected[1]), r.reason);
    assert.ok(r.reason.length > 0);
  });
}

test('wsinv: folded and spaced values read as the RFC intends', () => {
  const msg = parseMessage(load(join(ROOT, 'valid', 'wsinv-whitespace.sip')).bytes) as SipMessage;
  assert.equal(getCSeq(msg)?.seq, 9);
  assert.equal(getTopVia(msg)?.host, '192.0.2.2');
  assert.equal(msg.headers.get('newfangledheader'), 'newfangled value continued newfangled value');
});
