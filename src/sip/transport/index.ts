/** Barrel of `sip/transport/` (RFC 3261 §18, RFC 3263, RFC 3581, RFC 5626 §4.4.1, RFC 7118). */
export * from './flow.js';
export * from './transport-options.js';
export * from './stream-framer.js';
export * from './via-routing.js';
export type { SipTransport, WireData } from './transport-sink.js';
export type { TlsOptions } from './stream-transport.js';
export * from './transport-layer.js';
export * from './sip-resolver.js';
export * from './node-dns.js';
