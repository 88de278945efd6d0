/** Event packages barrel. */
export * from './event-packages.js';
export * from './parse-dialog-info.js';
