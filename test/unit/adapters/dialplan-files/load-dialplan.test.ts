/**
 * loadDialplan edge cases: directory errors, defaults applied by the loader, and the `locate`
 * callback reused when the app merges file parts with store parts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { composeDirectory, type Device } from '../../../../src/core/index.js';
import { formatDialplanError, loadDialplan, type LoadDialplanResult } from '../../../../src/adapters/dialplan-files/index.js';

const MINIMAL = 'fixtures/dialplans/minimal';

describe('loadDialplan', () => {
  let empty: string;
  let loaded: Extract<LoadDialplanResult, { ok: true }>;
  before(async () => {
    empty = mkdtempSync(join(tmpdir(), 'blfgw-empty-'));
    writeFileSync(join(empty, 'README.md'), 'no yaml here');
    const r = await loadDialplan(MINIMAL);
    assert.ok(r.ok, r.ok ? '' : r.errors.map(formatDialplanError).join('\n'));
    loaded = r;
  });
  after(() => rmSync(empty, { recursive: true, force: true }));

  it('reports a directory without YAML files', async () => {
    const r = await loadDialplan(empty);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(formatDialplanError(r.errors[0]!), `${empty}: no *.yaml or *.yml dialplan file in this directory`);
  });

  it('reports a missing directory', async () => {
    const r = await loadDialplan(join(empty, 'nope'));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.errors[0]?.message ?? '', /cannot read dialplan directory/);
  });

  it('applies defaults: <None>, Standard Presence Group, maxCalls 2, busyTrigger 1, ports', () => {
    const d = loaded.parts.devices?.[0];
    assert.equal(d?.callingCss, null);
    assert.equal(d?.presenceGroup, 'Standard Presence Group');
    assert.deepEqual(d?.lines[0], { index: 1, dn: '100', partition: 'Internal_PT', label: undefined, display: undefined, users: ['ann'], maxCalls: 2, busyTrigger: 1 });
    assert.deepEqual(d?.blfSpeedDials[0], { index: 2, label: undefined, target: { kind: 'dn', dn: '101', partition: null }, pickup: false });
    assert.deepEqual(loaded.parts.users?.[0]?.devices, ['SEP000000000100']);
    assert.equal(loaded.settings.sipPort, 5060);
    assert.equal(loaded.settings.httpPort, 8080);
  });

  it('lets the app merge store parts and still point conflicts at the exact field', () => {
    const storePhone: Device = { ...loaded.parts.devices![0]!, origin: { kind: 'store' } };
    const r = composeDirectory(loaded.parts, { devices: [storePhone] }, loaded.locate);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(
      formatDialplanError(r.errors[0]!),
      `${join(MINIMAL, 'dialplan.yaml')}:14:11: device 'SEP000000000100' is defined in dialplan file ` +
        `${join(MINIMAL, 'dialplan.yaml')}:14 and in the directory store; remove one (file-defined objects are read-only over AXL)`,
    );
  });
});
