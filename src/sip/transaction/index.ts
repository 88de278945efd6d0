/** Barrel of `sip/transaction/` (RFC 3261 §17, RFC 6026). */
export * from './clock.js';
export * from './transaction-tables.js';
export * from './transaction-host.js';
export * from './transaction-keys.js';
export * from './build-ack-cancel.js';
export * from './client-transaction.js';
export * from './server-transaction.js';
export { type PreparedRequest, type PreparedResult } from './pending-non-invite.js';
export { SipStack, resolveTarget, type SipStackDelegate, type SipStackOptions, type SendRequestOptions } from './sip-stack.js';
