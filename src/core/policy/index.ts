/** Policy barrel: route patterns, SUBSCRIBE CSS resolution, presence groups, decide(). */
export * from './route-pattern.js';
export * from './presentity-uri.js';
export * from './watcher-context.js';
export * from './css-search.js';
export * from './presence-policy.js';
