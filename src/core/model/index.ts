export * from './directory.js';
export * from './build-directory.js';
