/** AXL adapter: the SOAP facade (node-soap over wsdl/) and the AXL sync client. */
export { startAxlServer, type AxlServer, type AxlServerOptions, type AxlUser } from './axl-server.js';
export { AXL_OPERATIONS } from './axl-operations.js';
export { AXL_ERROR } from './errors.js';
export { loadOrCreateCertificate, type TlsMaterial } from './self-signed-cert.js';
export { syncFromAxl, type SyncOptions, type SyncHandle, type SyncProgress } from './axl-sync-client.js';
