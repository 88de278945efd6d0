/**
 * B2BUA adapter (issue 4, line side): registrar (RFC 3261 §10), B2BUA calls with forking to shared
 * lines (RFC 3261 §13-§16 as a UAS and UACs), BLF pickup (RFC 3891 Replaces, Cisco blfpickup URI).
 * Calls drive the core's line appearances through `CallEvent`s; registrations through
 * `RegistrationChanged`.
 */
export * from './registrar-bindings.js';
export * from './register-plan.js';
export * from './call-routing.js';
export * from './replaces.js';
export * from './call-leg-fsm.js';
export * from './call-dialogs.js';
export * from './device-auth.js';
export * from './registrar.js';
export * from './call-model.js';
export * from './call-context.js';
export * from './b2bua-calls.js';
export * from './local-endpoint-calls.js';
