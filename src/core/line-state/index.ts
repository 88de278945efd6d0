/** Line state barrel: BLF aggregation and the call-event reducer. */
export * from './blf-aggregation.js';
export * from './line-state-table.js';
