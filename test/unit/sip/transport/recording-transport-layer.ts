/**
 * A `SipTransportLayer` that never touches a socket (sipgo `siptest`-style recorder): `send` records
 * each message with its top Via as it was on the wire, resolves with a flow to the destination,
 * or rejects for a host in `refused` (connection refused / ICMP unreachable). `arrive` hands a
 * message to the stack as if it had arrived. Used with a FakeClock for stack tests in virtual time.
 */
import {
  SipTransportLayer, parseMessage, isParseError, type Destination, type Flow, type HostPort, type SipMessage, type TransportProtocol,
} from '../../../../src/sip/index.js';

export interface WireRecord {
  readonly msg: SipMessage;
  /** the top Via when sent (the stack rewrites it on failover) */
  readonly via: string;
  /** `transport:host:port` */
  readonly to: string;
}

const LOCAL: HostPort = { host: '192.0.2.1', port: 5060 };

export class RecordingTransportLayer extends SipTransportLayer {
  readonly wire: WireRecord[] = [];
  /** remote hosts whose sends fail */
  readonly refused = new Set<string>();

  constructor(private readonly protocols: readonly TransportProtocol[] = ['udp']) {
    super();
  }

  override listenPoints(): Array<{ transport: TransportProtocol; host: string; port: number }> {
    return this.protocols.map((transport) => ({ transport, ...LOCAL }));
  }

  override listenPointFor(transport: TransportProtocol): HostPort | undefined {
    return this.protocols.includes(transport) ? LOCAL : undefined;
  }

  override send(msg: SipMessage, to: Flow | Destination): Promise<Flow> {
    const flow: Flow = 'remote' in to ? to : { transport: to.transport, local: LOCAL, remote: { host: to.host, port: to.port } };
    this.wire.push({ msg, via: msg.headers.first('via') ?? '', to: `${flow.transport}:${flow.remote.host}:${flow.remote.port}` });
    if (this.refused.has(flow.remote.host)) return Promise.reject(new Error(`ECONNREFUSED ${flow.remote.host}`));
    return Promise.resolve(flow);
  }

  /** Re-sent wire bytes (a completed transaction's final response), recorded parsed back. */
  override sendBytes(bytes: Buffer, flow: Flow): Promise<Flow> {
    const msg = parseMessage(bytes);
    if (isParseError(msg)) throw new Error(`re-sent bytes do not parse: ${msg.reason}`);
    return this.send(msg, flow);
  }

  /** A message arriving from `remote` (default: where the last request went). */
  arrive(msg: SipMessage, remote: string = this.wire.at(-1)!.to): void {
    const [transport, host, port] = remote.split(':') as [TransportProtocol, string, string];
    this.delegate.onMessage?.(msg, { transport, local: LOCAL, remote: { host, port: Number(port) } });
  }

  /** Requests sent so far, as `METHOD to` lines. */
  requests(): string[] {
    return this.wire.filter((w) => w.msg.kind === 'request').map((w) => `${(w.msg as { method: string }).method} ${w.to}`);
  }
}
