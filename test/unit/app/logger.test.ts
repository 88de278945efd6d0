import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/app/logger.js';

function capture(level: 'info' | 'debug') {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  return { logger: createLogger({ level, json: true, stream }), lines };
}

test('entries below the level are dropped before winston formats them', async () => {
  const { logger, lines } = capture('info');
  let reads = 0;
  const fields = { get costly() { reads += 1; return 'x'; } };
  logger.debug('hidden', fields);
  logger.child({ part: 'sip' }).debug('hidden too', fields);
  logger.info('shown', { n: 1 });
  await new Promise((r) => setImmediate(r));
  assert.equal(reads, 0, 'a disabled entry never reaches the JSON format');
  assert.equal(lines.length, 1);
  assert.deepEqual({ ...JSON.parse(lines[0]!), timestamp: undefined }, { level: 'info', message: 'shown', n: 1, timestamp: undefined });
});

test('every level at or above the configured one is written, children included', async () => {
  const { logger, lines } = capture('debug');
  logger.error('e');
  logger.warn('w');
  logger.child({ part: 'sip' }).info('i');
  logger.debug('d', { k: 'v' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(lines.map((l) => JSON.parse(l).message), ['e', 'w', 'i', 'd']);
  assert.equal(JSON.parse(lines[2]!).part, 'sip');
});
