import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IllegalTransitionError,
  Subscription,
  SubscriptionTable,
  TimerHeap,
  transitionSubscription,
  type SubscriptionInput,
  type SubscriptionState,
} from '../../../../src/core/index.js';

const fsmRows: ReadonlyArray<readonly [SubscriptionState, SubscriptionInput, SubscriptionState | 'throws']> = [
  ['pending', 'authorize', 'active'],
  ['pending', 'reject', 'terminated'],
  ['active', 'refresh', 'active'],
  ['active', 'unsubscribe', 'terminated'],
  ['active', 'expire', 'terminated'],
  ['active', 'notify-failed', 'terminated'],
  ['active', 'deauthorize', 'terminated'],
  ['active', 'authorize', 'throws'],
  ['pending', 'refresh', 'throws'],
  ['terminated', 'refresh', 'throws'],
  ['terminated', 'expire', 'throws'],
];
for (const [from, input, to] of fsmRows) {
  test(`subscription FSM: ${from} + ${input} → ${to}`, () => {
    if (to === 'throws') assert.throws(() => transitionSubscription(from, input), IllegalTransitionError);
    else assert.equal(transitionSubscription(from, input), to);
  });
}

function sub(id: string, line = '2001/Exec_PT', expiresAt = 1000): Subscription {
  const s = new Subscription(id, { kind: 'device', name: 'SEP000000001001' }, { kind: 'dn', dn: '2001' }, 'dialog', 'application/dialog-info+xml', 'call-list');
  s.line = line;
  s.expiresAt = expiresAt;
  s.apply('authorize');
  return s;
}

test('timer heap pops in deadline order and honours re-arming and cancel', () => {
  const heap = new TimerHeap<{ timerAt: number; heapIndex: number; name: string }>();
  const items = [50, 10, 40, 30, 20].map((at) => ({ timerAt: 0, heapIndex: -1, name: `t${at}` }));
  items.forEach((it, i) => heap.schedule(it, [50, 10, 40, 30, 20][i]!));
  heap.schedule(items[0]!, 5); // t50 re-armed to 5
  heap.cancel(items[2]!); // t40 gone
  const order: string[] = [];
  for (let it = heap.popDue(100); it; it = heap.popDue(100)) order.push(`${it.name}@${it.timerAt}`);
  assert.deepEqual(order, ['t50@5', 't10@10', 't20@20', 't30@30']);
  assert.equal(heap.size, 0);
});

test('table: fan-out by line, expiry order, removal', () => {
  const t = new SubscriptionTable();
  t.add(sub('a', '2001/Exec_PT', 3000));
  t.add(sub('b', '2001/Exec_PT', 1000));
  t.add(sub('c', '1001/Internal_PT', 2000));
  assert.deepEqual(t.onLine('2001/Exec_PT').map((s) => s.id), ['a', 'b']);
  assert.equal(t.nextDeadline(), 1000);
  assert.equal(t.popDue(999), undefined);
  assert.equal(t.popDue(1000)?.id, 'b');
  t.scheduleExpiry(t.get('c')!, 5000); // refresh
  assert.equal(t.nextDeadline(), 3000);
  t.remove(t.get('a')!);
  assert.deepEqual(t.onLine('2001/Exec_PT').map((s) => s.id), ['b']);
  assert.equal(t.nextDeadline(), 5000);
  t.retarget(t.get('c')!, '2001/Exec_PT', null);
  assert.deepEqual(t.onLine('1001/Internal_PT'), []);
  assert.deepEqual(t.onLine('2001/Exec_PT').map((s) => s.id), ['b', 'c']);
});

test('flow control: one NOTIFY in flight, changes coalesce into one, versions count from 0', () => {
  const t = new SubscriptionTable();
  const s = sub('a');
  t.add(s);
  assert.equal(t.claimNotify(s), 0);
  assert.equal(t.claimNotify(s), undefined, 'second change while in flight');
  assert.equal(t.claimNotify(s), undefined, 'third change while in flight');
  assert.equal(s.dirty, true);
  assert.equal(t.settleNotify(s, 7), false, 'an outcome for another version is ignored');
  assert.equal(t.settleNotify(s, 0), true, 'settled and dirty → send again');
  assert.equal(t.claimNotify(s), 1);
  assert.equal(t.settleNotify(s, 1), false, 'nothing changed meanwhile');
  assert.equal(t.claimNotify(s), 2);
});

test('record round trip keeps id, line, version and expiry', () => {
  const t = new SubscriptionTable();
  const s = sub('a', '2001/Exec_PT', 4242);
  t.add(s);
  t.claimNotify(s);
  const r = t.toRecord(s);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), { ...r });
  assert.equal(r.version, 1);
  assert.equal(r.expiresAt, 4242);
  assert.equal(r.line, '2001/Exec_PT');
});

test('routed subscriptions share one remote state, forgotten with the route\'s last subscription', () => {
  const t = new SubscriptionTable();
  const routed = (id: string) => {
    const s = sub(id);
    s.line = null;
    s.trunk = 'to-cluster-b';
    return s;
  };
  const target = { kind: 'dn', dn: '2001' } as const;
  const a = routed('a');
  t.add(a);
  assert.equal(t.remoteOf(a).state, 'unknown');
  t.setRemote('to-cluster-b', target, { state: 'busy', dialogs: [] });
  const b = routed('b');
  t.add(b);
  assert.equal(t.remoteOf(b).state, 'busy', 'a watcher joining the route sees what the route last reported');
  assert.equal(t.remoteOf(sub('line-sub')).state, 'unknown', 'a line subscription has no remote state');
  t.remove(a);
  t.remove(b);
  t.setRemote('to-cluster-b', target, { state: 'ringing', dialogs: [] }); // a report for a route nobody watches
  const c = routed('c');
  t.add(c);
  assert.equal(t.remoteOf(c).state, 'unknown', 'nothing kept for a route without subscriptions');
});

test('a subscription\'s packed codes read back what it was created with, through every state and the dirty flag', () => {
  const s = new Subscription('p', { kind: 'trunk', name: 't' }, { kind: 'uri', uri: 'sip:a@b' }, 'presence', 'application/cpim-pidf+xml', 'blf-speed-dial');
  assert.deepEqual([s.state, s.event, s.kind, s.contentType, s.dirty], ['pending', 'presence', 'blf-speed-dial', 'application/cpim-pidf+xml', false]);
  s.dirty = true;
  s.apply('authorize');
  assert.deepEqual([s.state, s.event, s.kind, s.contentType, s.dirty], ['active', 'presence', 'blf-speed-dial', 'application/cpim-pidf+xml', true]);
  s.dirty = false;
  s.apply('expire');
  assert.deepEqual([s.state, s.dirty, s.contentType], ['terminated', false, 'application/cpim-pidf+xml']);
  const odd = new Subscription('q', { kind: 'trunk', name: 't' }, { kind: 'dn', dn: '1' }, 'dialog', 'application/x-restored+xml', 'call-list');
  assert.equal(odd.contentType, 'application/x-restored+xml', 'a content type from a restored record is kept');
  assert.throws(() => new Subscription('r', { kind: 'trunk', name: 't' }, { kind: 'dn', dn: '1' }, 'bogus' as 'dialog', 'x', 'call-list'));
});
