/**
 * The passphrase envelope of `export --include-secrets` (README "Operating factorkit"):
 *
 *   byte 0       version (1)
 *   bytes 1-16   scrypt salt (random)
 *   bytes 17-28  AES-256-GCM nonce (random)
 *   bytes 29-    ciphertext, then the 16-byte GCM tag
 *
 * The key is scrypt(passphrase, salt, N=2^17, r=8, p=1, 32 bytes); the 29 header bytes are the
 * GCM additional data, so a changed version, salt or nonce fails like a changed ciphertext.
 * node:crypto has both primitives; only the byte layout is ours.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { CliError, EXIT } from '../output.js';

const VERSION = 1;
const SALT = 16;
const NONCE = 12;
const TAG = 16;
const HEADER = 1 + SALT + NONCE;
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 } as const;
export const MIN_PASSPHRASE = 12;

function key(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, SCRYPT);
}

export function seal(plaintext: string, passphrase: string): Buffer {
  const header = Buffer.concat([Buffer.of(VERSION), randomBytes(SALT), randomBytes(NONCE)]);
  const cipher = createCipheriv(
    'aes-256-gcm',
    key(passphrase, header.subarray(1, 1 + SALT)),
    header.subarray(1 + SALT),
  );
  cipher.setAAD(header);
  return Buffer.concat([
    header,
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
}

export function open(file: Buffer, passphrase: string): string {
  if (file.length < HEADER + TAG || file[0] !== VERSION)
    throw new CliError(
      'EXPORT_FORMAT',
      'not a factorkit encrypted export (version 1)',
      EXIT.refused,
    );
  const header = file.subarray(0, HEADER);
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      key(passphrase, header.subarray(1, 1 + SALT)),
      header.subarray(1 + SALT),
    );
    decipher.setAAD(header);
    decipher.setAuthTag(file.subarray(file.length - TAG));
    return Buffer.concat([
      decipher.update(file.subarray(HEADER, file.length - TAG)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new CliError(
      'DECRYPT_FAILED',
      'cannot decrypt the export: wrong passphrase, or the file was changed',
      EXIT.refused,
    );
  }
}

/** The passphrase, from the environment variable named by `--passphrase-env` (never argv). */
export function passphraseFrom(variable: string | undefined, flag: string): string {
  if (!variable)
    throw new CliError(
      'PASSPHRASE_REQUIRED',
      `${flag} needs --passphrase-env VAR (the passphrase is read from that environment variable, never from the command line)`,
      EXIT.usage,
    );
  const value = process.env[variable];
  if (!value)
    throw new CliError(
      'PASSPHRASE_REQUIRED',
      `the environment variable ${variable} is not set`,
      EXIT.usage,
    );
  if ([...value].length < MIN_PASSPHRASE)
    throw new CliError(
      'PASSPHRASE_TOO_SHORT',
      `the passphrase in ${variable} must be at least ${MIN_PASSPHRASE} characters`,
      EXIT.usage,
    );
  return value;
}
