/** Softphone rigs barrel: emulated phones for tests and load profiles (public protocols only). */
export * from './sccp-phone.js';
export * from './sip-phone.js';
