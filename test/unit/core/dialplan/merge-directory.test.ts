/**
 * Pure tests of the core dialplan semantics: file/store merge (a name in both is an error naming
 * the file), validation of merged parts, and positions falling back to Origin without a locator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  composeDirectory,
  formatDialplanError,
  mergeDirectory,
  validateDirectoryParts,
  type Device,
  type DirectoryParts,
  type Origin,
} from '../../../../src/core/index.js';

const file = (line: number): Origin => ({ kind: 'file', file: 'dialplans/a.yaml', line });
const STORE: Origin = { kind: 'store' };

function phone(name: string, origin: Origin, over: Partial<Device> = {}): Device {
  return {
    name, protocol: 'sip', model: 'Cisco 8845', subscribeCss: null, callingCss: null,
    presenceGroup: 'Standard Presence Group', lines: [], blfSpeedDials: [],
    singleDialogPerDocument: false, origin, ...over,
  };
}

const fileParts: DirectoryParts = {
  params: { domain: 'acme.test' },
  partitions: [{ name: 'Internal_PT', origin: file(2) }],
  callingSearchSpaces: [{ name: 'Internal_CSS', partitions: ['Internal_PT'], origin: file(4) }],
  lines: [{ dn: '1001', partition: 'Internal_PT', presenceGroup: 'Standard Presence Group', origin: file(7) }],
  devices: [phone('SEP000000001001', file(9))],
};

describe('mergeDirectory', () => {
  it('concatenates disjoint file and store parts', () => {
    const store: DirectoryParts = { devices: [phone('SEP000000001002', STORE)] };
    const r = mergeDirectory(fileParts, store);
    assert.ok(r.ok);
    assert.deepEqual(r.parts.devices?.map((d) => d.name), ['SEP000000001001', 'SEP000000001002']);
    assert.equal(r.parts.params?.domain, 'acme.test');
  });

  const conflicts: [string, DirectoryParts, RegExp, number][] = [
    ['device', { devices: [phone('SEP000000001001', STORE)] }, /device 'SEP000000001001' is defined in dialplan file dialplans\/a\.yaml:9 and in the directory store/, 9],
    ['partition', { partitions: [{ name: 'Internal_PT', origin: STORE }] }, /partition 'Internal_PT' .*a\.yaml:2/, 2],
    ['css', { callingSearchSpaces: [{ name: 'Internal_CSS', partitions: [], origin: STORE }] }, /calling search space 'Internal_CSS'/, 4],
    ['line (DN in partition)', { lines: [{ dn: '1001', partition: 'Internal_PT', presenceGroup: 'x', origin: STORE }] }, /DN 1001 in partition Internal_PT .*a\.yaml:7/, 7],
  ];
  for (const [what, store, message, line] of conflicts) {
    it(`reports a ${what} defined in both, at the file definition`, () => {
      const r = mergeDirectory(fileParts, store);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0]?.code, 'merge-conflict');
      assert.match(r.errors[0]?.message ?? '', message);
      assert.equal(formatDialplanError(r.errors[0]!).startsWith(`dialplans/a.yaml:${line}:1: `), true);
    });
  }

  it('does not treat the same DN in another partition as a conflict', () => {
    const store: DirectoryParts = { lines: [{ dn: '1001', partition: 'Store_PT', presenceGroup: 'x', origin: STORE }] };
    assert.equal(mergeDirectory(fileParts, store).ok, true);
  });

  it('reports a service parameter set in both', () => {
    const r = mergeDirectory(fileParts, { params: { domain: 'other.test' } });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.errors[0]?.message ?? '', /domain is set in a dialplan file and in the directory store/);
  });
});

describe('composeDirectory', () => {
  it('lets store phones use file partitions and CSSs', () => {
    const store: DirectoryParts = {
      devices: [phone('SEP000000001002', STORE, {
        subscribeCss: 'Internal_CSS',
        lines: [{ index: 1, dn: '1001', partition: 'Internal_PT', users: [], maxCalls: 2, busyTrigger: 1 }],
      })],
    };
    const r = composeDirectory(fileParts, store);
    assert.ok(r.ok, r.ok ? '' : r.errors.map(formatDialplanError).join('\n'));
  });

  it('reports a store object with a bad reference as <store>', () => {
    const store: DirectoryParts = { devices: [phone('SEP000000001002', STORE, { subscribeCss: 'Gone_CSS' })] };
    const r = composeDirectory(fileParts, store);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(formatDialplanError(r.errors[0]!), "<store>: device SEP000000001002: unknown calling search space 'Gone_CSS'");
  });
});

describe('validateDirectoryParts without a locator', () => {
  it('falls back to the object origin, column 1', () => {
    const errors = validateDirectoryParts({
      ...fileParts,
      devices: [phone('SEP000000001001', file(9), { callingCss: 'Nope_CSS' })],
    });
    assert.deepEqual(errors.map(formatDialplanError), [
      "dialplans/a.yaml:9:1: device SEP000000001001: unknown calling search space 'Nope_CSS'",
    ]);
  });

  it('knows the Standard Presence Group without a definition and accepts <None> references', () => {
    assert.deepEqual(validateDirectoryParts(fileParts), []);
  });

  it('reports too many users and a busy trigger above max calls on store data', () => {
    const users = ['a', 'b', 'c', 'd', 'e', 'f'];
    const errors = validateDirectoryParts({
      ...fileParts,
      users: users.map((id) => ({ id, presenceGroup: 'Standard Presence Group', subscribeCss: null, devices: [], origin: STORE })),
      devices: [phone('SEP000000001001', file(9), {
        lines: [{ index: 1, dn: '1001', partition: 'Internal_PT', users, maxCalls: 2, busyTrigger: 3 }],
      })],
    });
    assert.deepEqual(errors.map((e) => e.code).sort(), ['busy-trigger', 'too-many-users']);
  });
});
