/** Policy barrel: route patterns, SUBSCRIBE CSS resolution, presence groups, decide(). */
export * from './route-pattern.js';
