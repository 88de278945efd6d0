/**
 * RFC 3263 client-side resolution ("Locating SIP Servers") for requests the stack sends:
 * NAPTR (optional) → SRV (`_sip._udp`, `_sip._tcp`, `_sips._tcp`) ordered by priority and weight
 * (RFC 2782) → A/AAAA. The DNS itself sits behind `DnsPort`, so unit tests inject a fake and
 * `node-dns.ts` supplies the real one.
 *
 * Rule 1 (§4.1, §4.2): an IP literal is used as is; a host with an explicit port skips NAPTR and SRV
 *         and only gets A/AAAA; an explicit transport skips NAPTR.
 * Rule 2 (§4.1): without NAPTR records, SRV is queried for each transport we support, in our
 *         preference order (udp, tcp, tls; only tls for a sips URI); without SRV records the host's
 *         A/AAAA records are used with the transport's default port.
 * Rule 3: DNS errors are absence of records; only "nothing at all" is a failure (rejected promise),
 *         which the stack reports to the TU as a transport error.
 */
import { isIP } from 'node:net';
import { defaultPort, type Destination, type TransportProtocol } from './flow.js';

export interface NaptrRecord {
  readonly flags: string;
  readonly service: string;
  readonly regexp: string;
  readonly replacement: string;
  readonly order: number;
  readonly preference: number;
}

export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** The DNS queries RFC 3263 needs (shape of `node:dns/promises`; every method rejects or resolves). */
export interface DnsPort {
  resolveNaptr(name: string): Promise<readonly NaptrRecord[]>;
  resolveSrv(name: string): Promise<readonly SrvRecord[]>;
  resolve4(name: string): Promise<readonly string[]>;
  resolve6(name: string): Promise<readonly string[]>;
}

/** A request's next hop before resolution (from its Route / Request-URI, or a trunk). */
export interface SipTarget {
  readonly host: string;
  /** explicit port: skips NAPTR and SRV (§4.2) */
  readonly port?: number;
  /** explicit transport (`;transport=` or configured): skips NAPTR (§4.1) */
  readonly transport?: TransportProtocol;
  /** a sips URI: TLS only */
  readonly secure?: boolean;
}

export interface SipResolverOptions {
  /** transports we can send on, in preference order (default udp, tcp, tls) */
  readonly supported?: () => readonly TransportProtocol[];
  /** [0,1) random source for SRV weights (default Math.random) */
  readonly random?: () => number;
}

const NAPTR_SERVICES: Readonly<Record<string, TransportProtocol>> = { 'SIP+D2U': 'udp', 'SIP+D2T': 'tcp', 'SIPS+D2T': 'tls' };
const SRV_PREFIX: Partial<Record<TransportProtocol, string>> = { udp: '_sip._udp.', tcp: '_sip._tcp.', tls: '_sips._tcp.' };
const none = <T>(): Promise<readonly T[]> => Promise.resolve([]);

/** RFC 2782 ordering: ascending priority; within one priority a weighted random permutation. */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) byPriority.set(r.priority, [...(byPriority.get(r.priority) ?? []), r]);
  const out: SrvRecord[] = [];
  for (const p of [...byPriority.keys()].sort((a, b) => a - b)) {
    // "arrange all SRV RRs (that have not been ordered yet) in any order, except that all those with weight 0 are placed at the beginning"
    const left = byPriority.get(p)!.sort((a, b) => (a.weight === 0 ? -1 : 0) - (b.weight === 0 ? -1 : 0));
    while (left.length > 0) {
      const total = left.reduce((s, r) => s + r.weight, 0);
      const pick = random() * (total + 1);
      let running = 0;
      let i = left.findIndex((r) => (running += r.weight) >= pick);
      if (i < 0) i = left.length - 1;
      out.push(left.splice(i, 1)[0]!);
    }
  }
  return out;
}

export class SipResolver {
  private readonly random: () => number;
  private readonly supported: () => readonly TransportProtocol[];

  constructor(private readonly dns: DnsPort, opts: SipResolverOptions = {}) {
    this.random = opts.random ?? Math.random;
    this.supported = opts.supported ?? (() => ['udp', 'tcp', 'tls']);
  }

  /** True when `target` needs DNS at all (not an IP literal). */
  static needsDns(target: SipTarget): boolean {
    return isIP(target.host.replace(/^\[|\]$/g, '')) === 0;
  }

  /** Ordered destinations to try (first = use now, rest = failover, §4.3); rejects when nothing resolves. */
  async resolve(target: SipTarget): Promise<Destination[]> {
    const host = target.host.replace(/^\[|\]$/g, '');
    const fallback: TransportProtocol = target.transport ?? (target.secure ? 'tls' : 'udp');
    if (!SipResolver.needsDns(target)) return [{ transport: fallback, host, port: target.port ?? defaultPort(fallback) }];
    if (target.port !== undefined) return this.addresses(host, target.port, fallback);
    const transports = target.transport ? [target.transport] : this.candidates(target.secure === true);
    const srvNames = target.transport ? this.srvNames(host, transports) : await this.naptrOrSrvNames(host, transports);
    const out: Destination[] = [];
    for (const { name, transport } of srvNames) {
      const records = orderSrv(await this.dns.resolveSrv(name).catch(none<SrvRecord>), this.random);
      for (const r of records) out.push(...(await this.addresses(r.name, r.port, transport).catch(() => [])));
    }
    if (out.length > 0) return out;
    return this.addresses(host, defaultPort(fallback), fallback);
  }

  private candidates(secure: boolean): TransportProtocol[] {
    const ours = this.supported();
    return (['udp', 'tcp', 'tls'] as const).filter((t) => ours.includes(t) && (!secure || t === 'tls'));
  }

  private srvNames(host: string, transports: readonly TransportProtocol[]): { name: string; transport: TransportProtocol }[] {
    return transports.filter((t) => SRV_PREFIX[t] !== undefined).map((t) => ({ name: SRV_PREFIX[t]! + host, transport: t }));
  }

  /** §4.1: NAPTR with flag "s" and a service we support, by order then preference; else SRV per transport. */
  private async naptrOrSrvNames(host: string, transports: readonly TransportProtocol[]): Promise<{ name: string; transport: TransportProtocol }[]> {
    const naptr = await this.dns.resolveNaptr(host).catch(none<NaptrRecord>);
    const usable = naptr
      .filter((r) => r.flags.toLowerCase() === 's' && transports.includes(NAPTR_SERVICES[r.service.toUpperCase()]!))
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    if (usable.length > 0) return usable.map((r) => ({ name: r.replacement, transport: NAPTR_SERVICES[r.service.toUpperCase()]! }));
    return this.srvNames(host, transports);
  }

  private async addresses(host: string, port: number, transport: TransportProtocol): Promise<Destination[]> {
    if (isIP(host) !== 0) return [{ transport, host, port }];
    const [v4, v6] = await Promise.all([this.dns.resolve4(host).catch(none<string>), this.dns.resolve6(host).catch(none<string>)]);
    const all = [...v4, ...v6];
    if (all.length === 0) throw new Error(`RFC 3263: no A/AAAA records for ${host}`);
    return all.map((ip) => ({ transport, host: ip, port }));
  }
}
