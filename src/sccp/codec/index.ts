/** Skinny codec barrel: pure, Uint8Array in/out, no I/O. */
export * from './flat-layouts.js';
export { buildFlat, decodeFlatPayload, encodeFlatPayload } from './flat-codec.js';
export * from './structured-messages.js';
export * from './sccp-message.js';
export * from './sccp-codec.js';
export * from './frame-decoder.js';
export * from './skinny-constants.js';
export { latin1Bytes } from './wire-format.js';
