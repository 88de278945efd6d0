export * from './engine-io.js';
