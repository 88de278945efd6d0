/**
 * Renderers against golden files in fixtures/dialog-info and fixtures/pidf.
 * Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { renderDialogInfo, renderPidf } from '../../../../src/core/index.js';
import { DIALOG_INFO_CASES, ENTITY, PIDF_CASES } from './golden-cases.js';

function checkGolden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, 'utf8'), `${path} differs`);
}

for (const c of DIALOG_INFO_CASES) {
  test(`dialog-info golden: ${c.name}`, () => {
    const body = renderDialogInfo({ entity: ENTITY, version: c.version, snapshot: c.snapshot, singleDialogPerDocument: c.single ?? false });
    checkGolden(`fixtures/dialog-info/${c.name}.xml`, body);
  });
}

for (const c of PIDF_CASES) {
  test(`pidf golden: ${c.name}`, () => {
    checkGolden(`fixtures/pidf/${c.name}.xml`, renderPidf({ entity: ENTITY, snapshot: c.snapshot }));
  });
}
