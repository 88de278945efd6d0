/**
 * Child process for test/wire/udp-batch-receiver.test.ts: a UDP transport whose deliver throws on the
 * second of five datagrams. Prints one JSON line: what reached 'uncaughtException' and what was
 * delivered. argv[2] = 'batched' | 'dgram'.
 */
import { createSocket } from 'node:dgram';
import { UdpTransport } from '../../src/sip/transport/udp-transport.js';
import { createTransportStats, DEFAULT_LIMITS } from '../../src/sip/transport/transport-options.js';
import type { TransportSink } from '../../src/sip/transport/transport-sink.js';

const uncaught: string[] = [];
process.on('uncaughtException', (err) => void uncaught.push(err.message));
const delivered: string[] = [];
const sink: TransportSink = {
  limits: { ...DEFAULT_LIMITS, udpReceiveBatching: process.argv[2] === 'batched' },
  logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  stats: createTransportStats(),
  nextConnectionId: () => 0,
  deliver(bytes) {
    delivered.push(bytes.toString());
    if (delivered.length === 2) throw new Error('handler bug');
  },
  rejectStream: () => {},
  connectionClosed: () => {},
};
const t = await UdpTransport.bind('127.0.0.1', 0, sink);
const tx = createSocket('udp4');
for (let i = 0; i < 5; i++) tx.send(`d${i}`, t.local.port, '127.0.0.1');
const deadline = Date.now() + 5000;
while (delivered.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
console.log(JSON.stringify({ batchedReads: t.batchedReads, uncaught, delivered }));
tx.close();
await t.close();
