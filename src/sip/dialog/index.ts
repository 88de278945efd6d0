/** Barrel of `sip/dialog/` (RFC 3261 §12, RFC 6665 §4). */
export * from './dialog-state.js';
export * from './in-dialog.js';
