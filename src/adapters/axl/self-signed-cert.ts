/**
 * TLS material for the AXL facade: a self-signed certificate generated with `selfsigned` on first
 * start, cached as PEM files in `certDir` when one is given (so clients can pin it across restarts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import selfsigned from 'selfsigned';

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
}

export function loadOrCreateCertificate(certDir?: string): TlsMaterial {
  const keyFile = certDir && join(certDir, 'axl-key.pem');
  const certFile = certDir && join(certDir, 'axl-cert.pem');
  if (keyFile && certFile && existsSync(keyFile) && existsSync(certFile)) {
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  }
  // node:crypto makes the RSA key natively; selfsigned's own (node-forge) keygen takes minutes on a busy host
  const keyPair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  // `keyPair` is supported by selfsigned 2.4 (index.js) but missing from its type declarations
  const options: selfsigned.SelfsignedOptions & { keyPair: { privateKey: string; publicKey: string } } = {
    keyPair: { privateKey: keyPair.privateKey, publicKey: keyPair.publicKey },
    days: 825,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  };
  const pems = selfsigned.generate([{ name: 'commonName', value: 'blf-gateway-axl' }], options);
  const material = { key: pems.private, cert: pems.cert };
  if (certDir && keyFile && certFile) {
    mkdirSync(certDir, { recursive: true });
    writeFileSync(keyFile, material.key, { mode: 0o600 });
    writeFileSync(certFile, material.cert);
  }
  return material;
}
