import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { DuoEmulatorError } from '../errors.js';

export interface EmulatorCertificates {
  /** PEM of the certificate authority a client must trust (and only it). */
  caPem: string;
  /** PEM of the server certificate (signed by the CA) and its private key. */
  certPem: string;
  keyPem: string;
}

const DAY_MS = 86_400_000;

/**
 * Generates a fresh CA and a server certificate signed by it for 127.0.0.1 and localhost,
 * with `selfsigned` (Node WebCrypto underneath). The CA's key never leaves this process.
 */
export async function generateCertificates(validDays = 30): Promise<EmulatorCertificates> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + validDays * DAY_MS);
  const ca = await selfsigned.generate(
    [
      { name: 'commonName', value: 'factorkit duo-emulator local CA' },
      { name: 'organizationName', value: 'factorkit (development only)' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    },
  );
  const leaf = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { caPem: ca.cert, certPem: leaf.cert, keyPem: leaf.private };
}

/** Loads `ca.pem`, `server.pem` and `server-key.pem` from a directory. */
export async function loadCertificates(dir: string): Promise<EmulatorCertificates> {
  try {
    const [caPem, certPem, keyPem] = await Promise.all(
      ['ca.pem', 'server.pem', 'server-key.pem'].map((f) => readFile(join(dir, f), 'utf8')),
    );
    return { caPem: caPem!, certPem: certPem!, keyPem: keyPem! };
  } catch (cause) {
    throw new DuoEmulatorError(
      'CERTS_INVALID',
      'Could not read ca.pem, server.pem and server-key.pem from the certificate directory.',
      { cause },
    );
  }
}
