/** Ports barrel: the DirectoryStore port, its errors, and the pure in-memory implementation. */
export * from './directory-store.js';
export * from './errors.js';
export * from './store-backend.js';
export * from './store-records.js';
export { createDirectoryStore } from './create-directory-store.js';
export { createMemoryDirectoryStore, type MemoryDirectoryStoreOptions } from './memory-directory-store.js';
export * from './local-endpoint.js';
