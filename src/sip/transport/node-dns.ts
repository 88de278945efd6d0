/**
 * The real `DnsPort` for RFC 3263 resolution: `node:dns/promises` (system resolver config).
 * A `Resolver` with a timeout and one retry, so a dead DNS server fails a request in seconds.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsPort } from './sip-resolver.js';

export function createNodeDnsPort(opts: { timeoutMs?: number; servers?: string[] } = {}): DnsPort {
  const r = new Resolver({ timeout: opts.timeoutMs ?? 2_000, tries: 2 });
  if (opts.servers) r.setServers(opts.servers);
  return {
    resolveNaptr: (name) => r.resolveNaptr(name),
    resolveSrv: (name) => r.resolveSrv(name),
    resolve4: (name) => r.resolve4(name),
    resolve6: (name) => r.resolve6(name),
  };
}
