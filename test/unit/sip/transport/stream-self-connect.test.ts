/** stream-transport.ts Rule 4: a TCP socket connected to itself is recognised. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { isSelfConnected } from '../../../../src/sip/transport/stream-transport.js';
import { freePort } from '../../../support/free-port.js';


function connected(s: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

test('a socket whose source port is its destination port connects to itself, and is recognised', async () => {
  const port = await freePort(); // nothing listens there
  // what an outbound re-connect to a closed client's ephemeral port can be handed by the kernel
  const self = await connected(connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort: port }));
  try {
    assert.equal(isSelfConnected(self), true);
  } finally {
    self.destroy();
  }
});

test('an ordinary connection is not self-connected', async () => {
  const srv = createServer((s) => s.end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const s = await connected(connect({ host: '127.0.0.1', port: (srv.address() as { port: number }).port }));
  try {
    assert.equal(isSelfConnected(s), false);
  } finally {
    s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});
