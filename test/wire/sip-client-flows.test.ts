/**
 * The stack as a client on loopback (issue 3): RFC 3263 resolution of a named destination (fake DNS
 * pointing at a real listener), an unresolvable name reported as a transport error, and RFC 7118
 * outbound WebSocket flows (subprotocol "sip", opened on demand without a ws listener, reused).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SipResolver, SipStack, createRequest, generateCallId, generateTag, type DnsPort, type SipRequest, type SipResponse, type ServerTransaction,
} from '../../src/sip/index.js';

const TIMERS = { T1: 50, T2: 400, T4: 500 };

function fakeDns(srv: Record<string, { name: string; port: number }[]>, a: Record<string, string[]>): DnsPort {
  const nodata = (n: string) => Promise.reject(Object.assign(new Error(`ENODATA ${n}`), { code: 'ENODATA' }));
  return {
    resolveNaptr: nodata,
    resolveSrv: (n) => (srv[n] ? Promise.resolve(srv[n]!.map((r) => ({ ...r, priority: 10, weight: 0 }))) : nodata(n)),
    resolve4: (n) => (a[n] ? Promise.resolve(a[n]!) : nodata(n)),
    resolve6: nodata,
  };
}

/** A server stack answering everything 200 and remembering the transactions it saw. */
async function server(listen: Array<'udp' | 'tcp' | 'ws'>): Promise<{ stack: SipStack; ports: Record<string, number>; seen: ServerTransaction[] }> {
  const stack = new SipStack({ timers: TIMERS });
  const seen: ServerTransaction[] = [];
  stack.delegate = { onRequest: (tx) => { seen.push(tx); tx.reply(200, 'OK', { toTag: true }); } };
  const ports: Record<string, number> = {};
  for (const t of listen) ports[t] = (await stack.listen({ transport: t, host: '127.0.0.1', port: 0 })).port;
  return { stack, ports, seen };
}

function options(uri: string, n: number, method = 'OPTIONS'): SipRequest {
  return createRequest({
    method,
    uri,
    headers: [
      ['From', `<sip:probe@client.test>;tag=${generateTag()}`],
      ['To', `<${uri}>`],
      ['Call-ID', generateCallId('client.test')],
      ['CSeq', `${n} ${method}`],
      ['Content-Length', '0'],
    ],
  });
}

/** Sends and settles with the final response or the failure kind. */
function send(stack: SipStack, req: SipRequest): Promise<SipResponse | string> {
  return new Promise((resolve) => {
    stack.sendRequest(req, {
      delegate: {
        onResponse: (r) => { if (r.status >= 200) resolve(r); },
        onTimeout: () => resolve('timeout'),
        onTransportError: (e) => resolve(`transport-error: ${e.reason}`),
      },
    });
  });
}

test('RFC 3263: a request to sip:trunk.example.test follows SRV to the listener and its transport', async () => {
  const b = await server(['udp', 'tcp']);
  const dns = fakeDns({ '_sip._udp.trunk.example.test': [], '_sip._tcp.trunk.example.test': [{ name: 'pbx.example.test', port: b.ports.tcp! }] }, { 'pbx.example.test': ['127.0.0.1'] });
  const a = new SipStack({ timers: TIMERS, resolver: new SipResolver(dns, { supported: () => ['udp', 'tcp'] }) });
  await a.listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
  await a.listen({ transport: 'tcp', host: '127.0.0.1', port: 0 });
  try {
    const res = await send(a, options('sip:trunk.example.test', 1));
    assert.ok(typeof res !== 'string', String(res));
    assert.equal(res.status, 200);
    assert.equal(b.seen.length, 1);
    assert.equal(b.seen[0]!.flow.transport, 'tcp', 'SRV chose _sip._tcp');
    assert.match(b.seen[0]!.request.headers.first('via') ?? '', /^SIP\/2\.0\/TCP /, 'our Via names the transport SRV chose');
  } finally {
    await a.close();
    await b.stack.close();
  }
});

test('RFC 3263 §4.2: a name with an explicit port skips SRV; an unknown name is a transport error', async () => {
  const b = await server(['udp']);
  const asked: string[] = [];
  const base = fakeDns({}, { 'pbx.example.test': ['127.0.0.1'] });
  const dns: DnsPort = { ...base, resolveSrv: (n) => { asked.push(n); return base.resolveSrv(n); } };
  const a = new SipStack({ timers: TIMERS, resolver: new SipResolver(dns) });
  await a.listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
  try {
    const ok = await send(a, options(`sip:pbx.example.test:${b.ports.udp}`, 1));
    assert.ok(typeof ok !== 'string', String(ok));
    assert.equal(ok.status, 200);
    assert.deepEqual(asked, [], 'no SRV query with an explicit port');
    const bad = await send(a, options('sip:nowhere.example.test', 2));
    assert.match(String(bad), /^transport-error: cannot resolve nowhere\.example\.test/);
    assert.deepEqual(a.counts, { server: 0, client: 1 }, 'only the finished OPTIONS waits for Timer K');
  } finally {
    await a.close();
    await b.stack.close();
  }
});

test('RFC 7118: a ws destination opens one outbound WebSocket (subprotocol sip) and reuses it', async () => {
  const b = await server(['ws']);
  const a = new SipStack({ timers: TIMERS });
  await a.listen({ transport: 'udp', host: '127.0.0.1', port: 0 }); // no ws listener on the client
  try {
    const uri = `sip:gw@127.0.0.1:${b.ports.ws};transport=ws`;
    for (let n = 1; n <= 3; n++) {
      const res = await send(a, options(uri, n));
      assert.ok(typeof res !== 'string', String(res));
      assert.equal(res.status, 200);
    }
    assert.equal(b.seen.length, 3);
    assert.ok(b.seen.every((tx) => tx.flow.transport === 'ws' && tx.flow.connectionId === b.seen[0]!.flow.connectionId), 'one flow carried all three');
    assert.equal(b.stack.transport.stats.connectionsOpened, 1, 'the server saw one connection');
    assert.equal(a.transport.stats.connectionsOpened, 1, 'the client opened one connection');
    assert.match(b.seen[0]!.request.headers.first('via') ?? '', /^SIP\/2\.0\/WS /);
  } finally {
    await a.close();
    await b.stack.close();
  }
});
