/**
 * Service settings: the listening side of the gateway as written in a dialplan's `service.ports`
 * (CUCM: the SIP/SCCP/AXL service ports of a node). Not part of the Directory: the app reads them
 * once at start; CLI flags override them (a port of 0 picks a free one).
 */

export type SipListenTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export interface ServiceSettings {
  /** SIP UDP/TCP port (default 5060) */
  readonly sipPort: number;
  /** SIP TLS port (default 5061), used when `tls` is in `sipTransports` */
  readonly sipTlsPort: number;
  /** SIP transports to listen on (default udp, tcp) */
  readonly sipTransports: readonly SipListenTransport[];
  /** PEM certificate / key for TLS and WSS; null = generate a self-signed pair at start */
  readonly tlsCertFile: string | null;
  readonly tlsKeyFile: string | null;
  /** SCCP (Skinny) TCP port (default 2000) */
  readonly sccpPort: number;
  /** AXL SOAP HTTPS port (default 8443) */
  readonly axlPort: number;
  /** SIP over WebSocket port (default 8088) */
  readonly wsPort: number;
  /** HTTP port for health, metrics and the browser console (default 8080) */
  readonly httpPort: number;
}

export const DEFAULT_SERVICE_SETTINGS: ServiceSettings = {
  sipPort: 5060,
  sipTlsPort: 5061,
  sipTransports: ['udp', 'tcp'],
  tlsCertFile: null,
  tlsKeyFile: null,
  sccpPort: 2000,
  axlPort: 8443,
  wsPort: 8088,
  httpPort: 8080,
};
