/** Subscriptions barrel: FSM, timer heap, registry. */
export * from './subscription-fsm.js';
export * from './timer-heap.js';
export * from './subscription-table.js';
