export * from './engine-io.js';
export * from './engine.js';
