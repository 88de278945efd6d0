/** Renderers barrel: dialog-info (RFC 4235) and PIDF with Cisco RPID. */
export * from './xml.js';
export * from './dialog-info.js';
export * from './pidf.js';
export * from './utf8-length.js';
