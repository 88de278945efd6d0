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
