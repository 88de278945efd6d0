/**
 * Skinny (SCCP) layer barrel. Other layers import `sccp` only through here.
 *
 * - `codec/`: pure Skinny codec over Uint8Array (12-byte header, real ids, header version 0 layouts).
 * - `device/`: pure device-session FSM (registration, keepalive deadlines, stat requests, BLF buttons).
 * - `sccp-tcp-server.ts`: the only file doing I/O (TCP server, per-connection decoder + FSM).
 */
export * from './errors.js';
export * from './clock.js';
export * from './codec/index.js';
export * from './device/index.js';
export * from './sccp-tcp-server.js';
