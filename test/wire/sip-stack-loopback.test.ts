/**
 * Two SipStack instances on loopback (UDP, TCP, WS, IPv4 + IPv6 UDP): a UAC sends OPTIONS and
 * INVITE/ACK/BYE, a UAS answers. Proves transport + transaction layers end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import {
  SipStack, createRequest, generateCallId, generateTag, getTopVia, createResponse, parseMessage, isParseError,
  type SipResponse, type TransportProtocol, type SipRequest,
} from '../../src/sip/index.js';

async function pair(transport: TransportProtocol, host = '127.0.0.1') {
  const uas = new SipStack({ timers: { T1: 50, T2: 200, T4: 250 } });
  const uac = new SipStack({ timers: { T1: 50, T2: 200, T4: 250 } });
  const lp = await uas.listen({ transport, host, port: 0 });
  await uac.listen({ transport, host, port: 0 });
  uas.delegate = {
    onRequest(tx) {
      tx.reply(200, 'OK', { toTag: true, headers: [['Contact', `<sip:uas@${host.includes(':') ? `[${host}]` : host}:${lp.port}>`]] });
    },
  };
  return { uas, uac, lp };
}

function request(method: string, host: string, port: number, transport: string): SipRequest {
  const h = host.includes(':') ? `[${host}]` : host;
  return createRequest({
    method,
    uri: `sip:uas@${h}:${port};transport=${transport}`,
    headers: [
      ['From', `<sip:uac@example.com>;tag=${generateTag()}`],
      ['To', '<sip:uas@example.com>'],
      ['Call-ID', generateCallId()],
      ['CSeq', `1 ${method}`],
    ],
  });
}

function send(stack: SipStack, req: SipRequest): Promise<SipResponse> {
  return new Promise((resolve, reject) => {
    stack.sendRequest(req, {
      delegate: {
        onResponse: (r) => r.status >= 200 && resolve(r),
        onTimeout: () => reject(new Error('timeout')),
        onTransportError: (e) => reject(new Error(e.reason)),
      },
    });
  });
}

for (const [transport, host] of [['udp', '127.0.0.1'], ['tcp', '127.0.0.1'], ['ws', '127.0.0.1'], ['udp', '::1'], ['tcp', '::1']] as const) {
  test(`OPTIONS → 200 over ${transport} ${host}`, async () => {
    const { uas, uac, lp } = await pair(transport, host);
    try {
      const res = await send(uac, request('OPTIONS', host, lp.port, transport));
      assert.equal(res.status, 200);
      // RFC 3581: our UAC asked for rport; the UAS filled it in and the response found its way back
      assert.equal(typeof getTopVia(res)?.rport, 'number');
    } finally {
      await uac.close();
      await uas.close();
    }
  });
}

test('INVITE → 200 → ACK (2xx ACK stops retransmissions) → BYE over UDP', async () => {
  const { uas, uac, lp } = await pair('udp');
  const acks: SipRequest[] = [];
  uas.delegate.onAck = (ack) => acks.push(ack);
  try {
    const invite = request('INVITE', '127.0.0.1', lp.port, 'udp');
    const res = await send(uac, invite);
    assert.equal(res.status, 200);
    const ack = createRequest({
      method: 'ACK', uri: invite.uri,
      headers: [['From', invite.headers.get('from')!], ['To', res.headers.get('to')!], ['Call-ID', invite.headers.get('call-id')!], ['CSeq', '1 ACK']],
    });
    await uac.sendStateless(ack);
    for (let i = 0; i < 50 && acks.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(acks.length, 1);
    const bye = request('BYE', '127.0.0.1', lp.port, 'udp');
    bye.headers.set('Call-ID', invite.headers.get('call-id')!);
    assert.equal((await send(uac, bye)).status, 200);
  } finally {
    await uac.close();
    await uas.close();
  }
});

test('malformed UDP request gets 400 with a reason; retransmitted request absorbed (one TU call)', async () => {
  const uas = new SipStack();
  let calls = 0;
  uas.delegate = { onRequest: (tx) => { calls++; tx.reply(200); } };
  const lp = await uas.listen({ transport: 'udp', host: '127.0.0.1', port: 0 });
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString()));
  const port = sock.address().port;
  const good = `OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKabc;rport\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  try {
    sock.send(good.replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'), lp.port, '127.0.0.1');
    sock.send(good, lp.port, '127.0.0.1');
    sock.send(good, lp.port, '127.0.0.1');
    for (let i = 0; i < 100 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(got.some((m) => m.startsWith('SIP/2.0 400 CSeq method does not match')), got.join('\n'));
    assert.equal(got.filter((m) => m.startsWith('SIP/2.0 200')).length, 2);
    assert.equal(calls, 1);
  } finally {
    sock.close();
    await uas.close();
  }
});

test('TCP: pipelined + split messages, CRLF keepalive pong, missing Content-Length → 400', async () => {
  const uas = new SipStack();
  uas.delegate = { onRequest: (tx) => tx.reply(200) };
  const lp = await uas.listen({ transport: 'tcp', host: '127.0.0.1', port: 0 });
  const sock = connect(lp.port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let data = '';
  sock.on('data', (d) => (data += d.toString()));
  const msg = (b: string) => `OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK${b}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: ${b}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  try {
    const two = msg('p1') + msg('p2');
    sock.write('\r\n\r\n' + two.slice(0, 50));
    await new Promise((r) => setTimeout(r, 20));
    sock.write(two.slice(50));
    for (let i = 0; i < 100 && (data.match(/SIP\/2.0 200/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(data.startsWith('\r\nSIP/2.0 200'), JSON.stringify(data.slice(0, 20)));
    assert.equal((data.match(/SIP\/2.0 200/g) ?? []).length, 2);
    sock.write(msg('p3').replace('Content-Length: 0\r\n', ''));
    for (let i = 0; i < 100 && !data.includes('400'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(data.includes('SIP/2.0 400 Missing Content-Length'));
  } finally {
    sock.destroy();
    await uas.close();
  }
});

test('createResponse + parse keeps working for the fixtures of others (sanity)', () => {
  const r = parseMessage(`OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 2 OPTIONS\r\n\r\n`);
  assert.ok(!isParseError(r));
  assert.equal(createResponse(r as SipRequest, 404).reason, 'Not Found');
});
