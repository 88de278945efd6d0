/**
 * Trunk adapter (issue 6): PUBLISH trunk to an IM server (RFC 3903), outbound SUBSCRIBE relay
 * (RFC 6665) and the incoming-trunk access list. Imports core and sip through their index.ts only.
 */
export * from './trunk-logger.js';
export * from './trunk-request.js';
export * from './publish-documents.js';
export * from './publish-trunk.js';
export * from './trunk-access-list.js';
export * from './relay-messages.js';
export * from './subscribe-relay.js';
