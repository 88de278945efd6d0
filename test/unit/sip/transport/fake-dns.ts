/**
 * A fake `DnsPort` over an in-memory zone (RFC 3263 tests): answers NAPTR/SRV/A/AAAA from the zone,
 * ENODATA otherwise, and records every query so a test can assert what was (not) asked.
 */
import type { DnsPort, NaptrRecord, SrvRecord } from '../../../../src/sip/index.js';

export interface Zone {
  naptr?: Record<string, NaptrRecord[]>;
  srv?: Record<string, SrvRecord[]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
}

export function fakeDns(zone: Zone): DnsPort & { queries: string[] } {
  const queries: string[] = [];
  const answer = <T>(kind: string, table: Record<string, T[]> | undefined, name: string): Promise<T[]> => {
    queries.push(`${kind} ${name}`);
    const found = table?.[name];
    return found ? Promise.resolve(found) : Promise.reject(Object.assign(new Error(`queryX ENODATA ${name}`), { code: 'ENODATA' }));
  };
  return {
    queries,
    resolveNaptr: (n) => answer('NAPTR', zone.naptr, n),
    resolveSrv: (n) => answer('SRV', zone.srv, n),
    resolve4: (n) => answer('A', zone.a, n),
    resolve6: (n) => answer('AAAA', zone.aaaa, n),
  };
}

export const srv = (name: string, port: number, priority: number, weight: number): SrvRecord => ({ name, port, priority, weight });
