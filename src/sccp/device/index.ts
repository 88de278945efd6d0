/** Skinny device-session barrel: pure FSM, directory record types, commands. */
export * from './device-record.js';
export * from './device-commands.js';
export * from './device-responses.js';
export * from './session-state.js';
export * from './device-session.js';
