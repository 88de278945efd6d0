/**
 * TLS certificate and key for SIP-TLS, WSS and the AXL HTTPS listener: the configured PEM files, or a
 * self-signed pair generated on first start and kept under the data directory so restarts reuse it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import type { Logger } from './logger.js';

export interface TlsCredentials {
  readonly cert: string;
  readonly key: string;
}

/** Loads the configured pair, or creates/reuses a self-signed one in `dataDir`. */
export function loadTlsCredentials(
  certFile: string | null,
  keyFile: string | null,
  dataDir: string,
  hostName: string,
  logger: Logger,
): TlsCredentials {
  if (certFile && keyFile) return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  const dir = join(dataDir, 'tls');
  const certPath = join(dir, 'self-signed.crt');
  const keyPath = join(dir, 'self-signed.key');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  }
  const pems = selfsigned.generate([{ name: 'commonName', value: hostName }], {
    days: 825,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  logger.info('generated a self-signed TLS certificate', { cert: certPath });
  return { cert: pems.cert, key: pems.private };
}
