/** Barrel of `sip/message/` (RFC 3261 §7, §19, §20, §25). */
export * from './sip-headers.js';
export * from './sip-message.js';
export * from './params.js';
export * from './sip-uri.js';
export * from './name-addr.js';
export * from './header-parsers.js';
export * from './peek-headers.js';
export * from './auth-header.js';
export * from './parse-message.js';
export * from './serialize-message.js';
export * from './random-id.js';
export * from './create-response.js';
