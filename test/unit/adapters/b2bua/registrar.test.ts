/**
 * Registrar: REGISTER planning (RFC 3261 §10.3) and the binding table, table-driven; every
 * registration change that crosses 0 ↔ 1 bindings yields one engine transition.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequest, type Flow } from '../../../../src/sip/index.js';
import { planRegister, RegistrarBindings } from '../../../../src/adapters/b2bua/index.js';
import { sampleDirectory } from '../../core/sample-directory.js';

const dir = sampleDirectory({ registerMinExpires: 60, registerMaxExpires: 3600, registerDefaultExpires: 1800 });
const dev1005 = dir.devices.get('SEP000000001005')!;
const UDP: Flow = { transport: 'udp', local: { host: '127.0.0.1', port: 5060 }, remote: { host: '127.0.0.1', port: 5070 } };
const TCP: Flow = { transport: 'tcp', local: { host: '127.0.0.1', port: 5060 }, remote: { host: '127.0.0.1', port: 40000 }, connectionId: 7 };

function register(to: string, headers: Array<[string, string]>) {
  return createRequest({
    method: 'REGISTER',
    uri: 'sip:acme.test',
    headers: [['Via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx'], ['From', `<${to}>;tag=1`], ['To', `<${to}>`], ['Call-ID', 'r1'], ['CSeq', '1 REGISTER'], ...headers],
  });
}

const PLAN_CASES: Array<{ name: string; to: string; headers: Array<[string, string]>; expect: unknown }> = [
  { name: 'default expiry', to: 'sip:1005@acme.test', headers: [['Contact', '<sip:1005@127.0.0.1:5070>']],
    expect: { kind: 'update', dn: '1005', updates: [{ contact: 'sip:1005@127.0.0.1:5070', expires: 1800 }] } },
  { name: 'second line of the device', to: 'sip:2001@acme.test', headers: [['Contact', '<sip:2001@127.0.0.1:5070>'], ['Expires', '120']],
    expect: { kind: 'update', dn: '2001', updates: [{ contact: 'sip:2001@127.0.0.1:5070', expires: 120 }] } },
  { name: 'contact param wins over header, max caps', to: 'sip:1005@acme.test', headers: [['Contact', '<sip:a@h>;expires=99999, <sip:b@h>'], ['Expires', '300']],
    expect: { kind: 'update', dn: '1005', updates: [{ contact: 'sip:a@h', expires: 3600 }, { contact: 'sip:b@h', expires: 300 }] } },
  { name: 'below minimum → 423 + Min-Expires', to: 'sip:1005@acme.test', headers: [['Contact', '<sip:a@h>'], ['Expires', '10']],
    expect: { kind: 'reject', status: 423, headers: [['Min-Expires', '60']] } },
  { name: 'expires 0 is not too brief', to: 'sip:1005@acme.test', headers: [['Contact', '<sip:a@h>'], ['Expires', '0']],
    expect: { kind: 'update', dn: '1005', updates: [{ contact: 'sip:a@h', expires: 0 }] } },
  { name: 'line not on the device → 403', to: 'sip:1001@acme.test', headers: [['Contact', '<sip:a@h>']],
    expect: { kind: 'reject', status: 403, reason: 'Line 1001 Not On Device' } },
  { name: 'wildcard with Expires 0', to: 'sip:1005@acme.test', headers: [['Contact', '*'], ['Expires', '0']], expect: { kind: 'remove-all', dn: '1005' } },
  { name: 'wildcard without Expires 0 → 400', to: 'sip:1005@acme.test', headers: [['Contact', '*']],
    expect: { kind: 'reject', status: 400, reason: 'Bad Wildcard Contact' } },
  { name: 'no contact = query', to: 'sip:1005@acme.test', headers: [], expect: { kind: 'query', dn: '1005' } },
  { name: 'instance id kept', to: 'sip:1005@acme.test', headers: [['Contact', '<sip:a@h>;+sip.instance="<urn:uuid:1>"']],
    expect: { kind: 'update', dn: '1005', updates: [{ contact: 'sip:a@h', expires: 1800, instance: '<urn:uuid:1>' }] } },
];

for (const c of PLAN_CASES) {
  test(`planRegister: ${c.name}`, () => {
    assert.deepEqual(planRegister(register(c.to, c.headers), dev1005, dir.params), c.expect);
  });
}

test('bindings: first contact registers the device, last removal unregisters it', () => {
  const b = new RegistrarBindings();
  const r1 = b.apply('SEP1', '1001', { callId: 'c1', cseq: 1, flow: UDP }, [{ contact: 'sip:a@h', expires: 60 }], 0);
  assert.deepEqual(r1.transitions, [{ device: 'SEP1', registered: true }]);
  const r2 = b.apply('SEP1', '1002', { callId: 'c2', cseq: 1, flow: TCP }, [{ contact: 'sip:b@h', expires: 60, instance: '<urn:uuid:1>' }], 0);
  assert.deepEqual(r2.transitions, []);
  assert.equal(b.contactsOf('SEP1', '1002')[0]!.flow.connectionId, 7);
  const r3 = b.apply('SEP1', '1001', { callId: 'c1', cseq: 2, flow: UDP }, [{ contact: 'sip:a@h', expires: 0 }], 0);
  assert.deepEqual(r3.transitions, []);
  assert.deepEqual(b.dropFlow(TCP), [{ device: 'SEP1', registered: false }]);
  assert.equal(b.isRegistered('SEP1'), false);
});

test('bindings: a stale CSeq on the same Call-ID does not update (RFC 3261 §10.3 step 7)', () => {
  const b = new RegistrarBindings();
  b.apply('SEP1', '1001', { callId: 'c1', cseq: 5, flow: UDP }, [{ contact: 'sip:a@h', expires: 60 }], 0);
  const r = b.apply('SEP1', '1001', { callId: 'c1', cseq: 4, flow: UDP }, [{ contact: 'sip:a@h', expires: 0 }], 0);
  assert.equal(r.bindings.length, 1);
  assert.equal(b.isRegistered('SEP1'), true);
});

test('bindings: expiry drops contacts one by one and reports the last', () => {
  const b = new RegistrarBindings();
  b.apply('SEP1', '1001', { callId: 'c1', cseq: 1, flow: UDP }, [{ contact: 'sip:a@h', expires: 10 }, { contact: 'sip:b@h', expires: 20 }], 0);
  assert.equal(b.nextExpiry(), 10_000);
  assert.deepEqual(b.expire(10_000), []);
  assert.equal(b.contactsOf('SEP1', '1001').length, 1);
  assert.deepEqual(b.expire(20_000), [{ device: 'SEP1', registered: false }]);
  assert.equal(b.nextExpiry(), undefined);
});

test('bindings: Contact * removes every binding of the AOR only', () => {
  const b = new RegistrarBindings();
  b.apply('SEP1', '1001', { callId: 'c1', cseq: 1, flow: UDP }, [{ contact: 'sip:a@h', expires: 60 }, { contact: 'sip:b@h', expires: 60 }], 0);
  b.apply('SEP1', '1002', { callId: 'c2', cseq: 1, flow: UDP }, [{ contact: 'sip:c@h', expires: 60 }], 0);
  const r = b.removeAll('SEP1', '1001', { callId: 'c9', cseq: 1 });
  assert.deepEqual(r.bindings, []);
  assert.deepEqual(r.transitions, []);
  assert.deepEqual(b.removeAll('SEP1', '1002', { callId: 'c9', cseq: 2 }).transitions, [{ device: 'SEP1', registered: false }]);
});
