/**
 * RFC 3263 resolution over a fake DNS (table-driven): IP literals and explicit ports skip SRV (§4.2),
 * an explicit transport skips NAPTR (§4.1), NAPTR → SRV → A/AAAA, SRV priority/weight (RFC 2782),
 * sips → _sips._tcp only, fallbacks to A/AAAA with default ports, and failure when nothing resolves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipResolver, orderSrv, type NaptrRecord, type SipTarget, type Destination } from '../../../../src/sip/index.js';
import { fakeDns, srv, type Zone } from './fake-dns.js';

const naptr = (service: string, replacement: string, order: number, preference = 10): NaptrRecord => ({ flags: 's', service, regexp: '', replacement, order, preference });
const short = (d: Destination[]) => d.map((x) => `${x.transport}:${x.host}:${x.port}`);

const ZONE: Zone = {
  naptr: {
    'naptr.test': [naptr('SIP+D2U', '_sip._udp.naptr.test', 20), naptr('SIP+D2T', '_sip._tcp.naptr.test', 10), naptr('E2U+email', 'x', 1)],
  },
  srv: {
    '_sip._tcp.naptr.test': [srv('tcp1.naptr.test', 5070, 10, 0)],
    '_sip._udp.naptr.test': [srv('udp1.naptr.test', 5080, 10, 0)],
    '_sip._udp.srv.test': [srv('b.srv.test', 5062, 20, 0), srv('a.srv.test', 5061, 10, 0)],
    '_sip._tcp.srv.test': [srv('a.srv.test', 5063, 10, 0)],
    '_sips._tcp.srv.test': [srv('a.srv.test', 5064, 10, 0)],
  },
  a: {
    'tcp1.naptr.test': ['192.0.2.1'],
    'udp1.naptr.test': ['192.0.2.2'],
    'a.srv.test': ['192.0.2.10'],
    'b.srv.test': ['192.0.2.11'],
    'plain.test': ['192.0.2.20'],
  },
  aaaa: { 'plain.test': ['2001:db8::20'] },
};

const CASES: Array<{ name: string; target: SipTarget; want: string[]; notAsked?: RegExp }> = [
  { name: 'IPv4 literal: no DNS, default port', target: { host: '192.0.2.5' }, want: ['udp:192.0.2.5:5060'], notAsked: /./ },
  { name: 'IPv6 literal in brackets with transport', target: { host: '[2001:db8::5]', transport: 'tcp' }, want: ['tcp:2001:db8::5:5060'], notAsked: /./ },
  { name: 'explicit port: A/AAAA only (§4.2)', target: { host: 'srv.test', port: 5099 }, want: [], notAsked: /SRV|NAPTR/ },
  { name: 'explicit port on a plain host', target: { host: 'plain.test', port: 5099, transport: 'tcp' }, want: ['tcp:192.0.2.20:5099', 'tcp:2001:db8::20:5099'], notAsked: /SRV|NAPTR/ },
  { name: 'NAPTR order picks tcp before udp', target: { host: 'naptr.test' }, want: ['tcp:192.0.2.1:5070', 'udp:192.0.2.2:5080'] },
  { name: 'explicit transport skips NAPTR', target: { host: 'naptr.test', transport: 'udp' }, want: ['udp:192.0.2.2:5080'], notAsked: /NAPTR/ },
  { name: 'no NAPTR: SRV per transport in preference order, priority first', target: { host: 'srv.test' }, want: ['udp:192.0.2.10:5061', 'udp:192.0.2.11:5062', 'tcp:192.0.2.10:5063', 'tls:192.0.2.10:5064'] },
  { name: 'sips: _sips._tcp only', target: { host: 'srv.test', secure: true }, want: ['tls:192.0.2.10:5064'], notAsked: /_sip\._/ },
  { name: 'no SRV: A and AAAA with the default port', target: { host: 'plain.test' }, want: ['udp:192.0.2.20:5060', 'udp:2001:db8::20:5060'] },
  { name: 'no SRV, tls: default port 5061', target: { host: 'plain.test', transport: 'tls' }, want: ['tls:192.0.2.20:5061', 'tls:2001:db8::20:5061'] },
];

for (const c of CASES) {
  test(`RFC 3263: ${c.name}`, async () => {
    const dns = fakeDns(ZONE);
    const resolver = new SipResolver(dns, { random: () => 0 });
    if (c.want.length === 0) {
      await assert.rejects(resolver.resolve(c.target), /no A\/AAAA records for srv\.test/);
    } else {
      assert.deepEqual(short(await resolver.resolve(c.target)), c.want);
    }
    if (c.notAsked) assert.ok(!dns.queries.some((q) => c.notAsked!.test(q)), `unexpected queries: ${dns.queries.join(', ')}`);
  });
}

test('RFC 3263: only transports we support are looked up', async () => {
  const dns = fakeDns(ZONE);
  const resolver = new SipResolver(dns, { supported: () => ['tcp'] });
  assert.deepEqual(short(await resolver.resolve({ host: 'srv.test' })), ['tcp:192.0.2.10:5063']);
  assert.ok(!dns.queries.some((q) => /_udp|_sips/.test(q)), dns.queries.join(', '));
});

test('RFC 3263: an unknown name rejects (the stack turns that into a transport error)', async () => {
  await assert.rejects(new SipResolver(fakeDns({})).resolve({ host: 'nowhere.test' }), /no A\/AAAA records for nowhere\.test/);
});

test('RFC 2782: weights share the traffic within a priority; weight 0 rarely first', () => {
  const records = [srv('heavy', 1, 10, 90), srv('light', 1, 10, 10), srv('zero', 1, 10, 0), srv('backup', 1, 20, 100)];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const firsts = new Map<string, number>();
  for (let i = 0; i < 2_000; i++) {
    const order = orderSrv(records, random).map((r) => r.name);
    assert.equal(order[3], 'backup', 'a higher priority value is always tried last');
    firsts.set(order[0]!, (firsts.get(order[0]!) ?? 0) + 1);
  }
  const heavy = firsts.get('heavy') ?? 0;
  const light = firsts.get('light') ?? 0;
  assert.ok(heavy > 1_500 && heavy < 1_900, `heavy first ${heavy} of 2000`);
  assert.ok(light > 100 && light < 350, `light first ${light} of 2000`);
  assert.ok((firsts.get('zero') ?? 0) < 60, `zero-weight first ${firsts.get('zero')} times`);
});
