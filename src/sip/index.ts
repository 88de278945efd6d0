/**
 * Public API of our SIP stack (`src/sip/`). Other layers import only from here.
 *
 * | folder        | RFC |
 * |---------------|-----|
 * | message/      | RFC 3261 §7, §19, §20, §25; RFC 6665 §8.2 (Event, Subscription-State); RFC 3581 (rport) |
 * | transport/    | RFC 3261 §18; RFC 3581; RFC 5626 §4.4.1 (CRLF keepalive); RFC 7118 (WebSocket) |
 * | transaction/  | RFC 3261 §17; RFC 6026 |
 * | dialog/       | RFC 3261 §12; RFC 6665 §4.1.2 / §4.2.1 |
 * | auth/         | RFC 7616 (digest MD5 / SHA-256), RFC 3261 §22 |
 * | publication/  | RFC 3903 §4 (PUBLISH: ETag lifecycle of the EPA) |
 */
export * from './errors.js';
export * from './message/index.js';
export * from './transport/index.js';
export * from './transaction/index.js';
export * from './dialog/index.js';
export * from './auth/index.js';
export * from './publication/index.js';
