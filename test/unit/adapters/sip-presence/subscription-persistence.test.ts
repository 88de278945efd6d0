import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipSubscription, SubscriptionPersistence, FLUSH_SLICE } from '../../../../src/adapters/sip-presence/index.js';
import type { Flow } from '../../../../src/sip/index.js';

const FLOW: Flow = { transport: 'udp', local: { host: '127.0.0.1', port: 5060 }, remote: { host: '127.0.0.1', port: 5070 } };

/** A recording store: every transaction the persistence writes, in order. */
function recorder() {
  const batches: { saved: string[]; deleted: string[] }[] = [];
  return {
    batches,
    store: {
      saveSubscriptions: (subs: readonly { id: string }[]) => batches.push({ saved: subs.map((s) => s.id), deleted: [] }),
      deleteSubscriptions: (ids: readonly string[]) => batches.push({ saved: [], deleted: [...ids] }),
      loadSubscriptions: () => [],
    },
  };
}

test('flush writes the dirty subscriptions (a slice of them when limited) and deletes the ones gone', () => {
  const { batches, store } = recorder();
  const dialogs = new Map<string, SipSubscription>();
  for (let i = 0; i < 5; i++) dialogs.set(`s${i}`, new SipSubscription(`s${i}`, 'c\nf\nt\nsip:w@127.0.0.1\n', FLOW, 1, 1, 0, undefined));
  const p = new SubscriptionPersistence({
    store, dialogOf: (id) => dialogs.get(id), now: () => 0,
    coreRecordsOf: (ids) => new Map([...ids].filter((id) => dialogs.has(id)).map((id) => [id, { id }])),
  });
  for (const id of ['s0', 's1', 's2', 's3', 's4', 'gone']) p.markDirty(id);
  assert.deepEqual(p.flush(2), { saved: 2, deleted: 0 });
  assert.equal(p.pending, 4);
  assert.deepEqual(p.flush(), { saved: 3, deleted: 1 });
  assert.deepEqual(batches, [{ saved: ['s0', 's1'], deleted: [] }, { saved: ['s2', 's3', 's4'], deleted: [] }, { saved: [], deleted: ['gone'] }]);
  assert.ok(FLUSH_SLICE > 0);
});

test('a live dialog marked many times is written once; one that ends meanwhile is deleted', () => {
  const { batches, store } = recorder();
  const dialogs = new Map<string, SipSubscription>();
  for (let i = 0; i < 3; i++) dialogs.set(`d${i}`, new SipSubscription(`d${i}`, 'c\nf\nt\nsip:w@127.0.0.1\n', FLOW, 1, 1, 0, undefined));
  const live = (id: string) => (dialogs.get(id)?.ended ? undefined : dialogs.get(id));
  const p = new SubscriptionPersistence({
    store, dialogOf: live, now: () => 0,
    coreRecordsOf: (ids) => new Map([...ids].filter((id) => live(id) !== undefined).map((id) => [id, { id }])),
  });
  for (let round = 0; round < 3; round++) for (const d of dialogs.values()) p.markDirty(d.id, d);
  assert.equal(p.pending, 3, 'each dialog queued once');
  const ended = dialogs.get('d1')!;
  ended.end();
  p.markDirty('d1', undefined);
  assert.deepEqual(p.flush(2), { saved: 1, deleted: 1 }, 'the slice takes the queued dialogs first');
  p.markDirty('d0', dialogs.get('d0')); // written already: queued again
  assert.deepEqual(p.flush(), { saved: 2, deleted: 0 });
  assert.deepEqual(p.flush(), { saved: 0, deleted: 0 });
  assert.deepEqual(batches, [{ saved: ['d0'], deleted: [] }, { saved: [], deleted: ['d1'] }, { saved: ['d2', 'd0'], deleted: [] }]);
});
