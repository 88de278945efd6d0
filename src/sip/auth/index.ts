/** Barrel of `sip/auth/` (RFC 7616, RFC 8760, RFC 3261 §22). */
export * from './hash.js';
export * from './digest.js';
export * from './digest-server.js';
export * from './digest-client.js';
