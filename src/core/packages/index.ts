/** Event packages barrel. */
export * from './event-packages.js';
