/**
 * SIP presence adapter (RFC 6665 notifier for the `dialog` (RFC 4235) and `presence` (RFC 3856)
 * packages, RFC 3903 line-side PUBLISH of dialog-info): SUBSCRIBE/PUBLISH ↔ core inputs, core
 * effects → responses and NOTIFYs. Composed by `app/wire-presence.ts`.
 */
export * from './notifier-ports.js';
export * from './parse-subscribe.js';
export * from './sip-subscription.js';
export * from './flow-registry.js';
export * from './presence-notifier.js';
export * from './dialog-publisher.js';
export * from './subscription-persistence.js';
export * from './watcher-identifier.js';
