/**
 * sccp-lines adapter (issue 5): Skinny phones as line devices: registration against the directory,
 * keepalive loss → lines unknown, hook state and digit collection driving the core's line-appearance
 * dialogs, calls through the B2BUA via `LocalEndpointPort`, and BLF speed dials on SCCP watchers.
 */
export * from './sccp-directory.js';
export * from './digit-analysis.js';
export * from './blf-watchers.js';
export * from './phone-commands.js';
export * from './sccp-line-calls.js';
export * from './sccp-lines.js';
