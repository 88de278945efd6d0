/** Presence core barrel: pure, no I/O (DESIGN.md). Other layers import the core only through here. */
export * from './model/index.js';
export * from './engine/index.js';
export * from './policy/index.js';
export * from './line-state/index.js';
export * from './dialplan/index.js';
export * from './ports/index.js';
export * from './render/index.js';
export * from './packages/index.js';
export * from './subscriptions/index.js';
export * from './errors.js';
