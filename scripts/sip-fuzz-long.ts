/**
 * Long fuzz run (issue 3: "A longer run (1M) is a script, not a test"): mutated messages over UDP
 * against an in-process SipStack that answers 200; prints progress, parse-error counts and heap.
 * Usage: node --import tsx scripts/sip-fuzz-long.ts [count=1000000] [seed=24301]
 */
import { createSocket } from 'node:dgram';
import { SipStack } from '../src/sip/index.js';
import { createRng, mutate } from '../test/wire/sip-fuzz-mutator.js';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 24301);

async function main(): Promise<void> {
  const stack = new SipStack({ timers: { T1: 20, T2: 80, T4: 100 } });
  stack.delegate = { onRequest: (tx) => tx.reply(200, 'OK', { toTag: true }) };
  const lp = await stack.listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let answers = 0;
  sock.on('message', () => answers++);
  const port = sock.address().port;
  const rng = createRng(seed);
  const heap0 = process.memoryUsage().heapUsed;
  let sent = 0;
  for (let i = 0; i < count; i++) {
    const bytes = mutate(rng, i, 'UDP', '127.0.0.1', port).bytes.subarray(0, 65_000);
    if (bytes.length <= 4 && bytes.every((b) => b === 13 || b === 10)) continue; // ignored by the transport, never counted
    sock.send(bytes, lp.port, '127.0.0.1');
    sent++;
    // flow control (as in the bounded test): at most 100 datagrams in flight, so the kernel drops none
    if (sent % 100 === 0) {
      for (const end = Date.now() + 500; stack.transport.stats.received < sent && Date.now() < end; ) await new Promise((r) => setTimeout(r, 1));
    }
    if (i % 50_000 === 49_999) {
      const s = stack.transport.stats;
      console.log(`${i + 1} mutated, ${sent} sent, ${answers} answers, ${s.parseErrors} parse errors, tx ${JSON.stringify(stack.counts)}, heap +${Math.round((process.memoryUsage().heapUsed - heap0) / 1e6)} MB`);
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  console.log(`done: ${sent} sent, ${stack.transport.stats.received} parsed, ${answers} answers, stats ${JSON.stringify(stack.transport.stats)}`);
  sock.close();
  await stack.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
