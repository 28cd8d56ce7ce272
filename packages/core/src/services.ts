import { RandomPool } from './crypto/random-pool.js';

/**
 * Core services that providers receive by constructor injection. They are abstract classes (not
 * interfaces) so that they exist at run time and serve as injection tokens through the decorator
 * metadata TypeScript emits for constructor parameters.
 */

/** The trusted server clock (ASVS 6.5.8): the only time source core and providers use. */
export abstract class Clock {
  /** Milliseconds since the Unix epoch. */
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}

/** Cryptographically secure randomness (ASVS 6.5.3, 11.5.1). */
export abstract class RandomSource {
  abstract bytes(length: number): Uint8Array;

  /** A URL-safe random token carrying `byteLength * 8` bits of entropy (default 256). */
  token(byteLength = 32): string {
    return Buffer.from(this.bytes(byteLength)).toString('base64url');
  }
}

export class CryptoRandomSource extends RandomSource {
  private readonly pool = new RandomPool();
  bytes(length: number): Uint8Array {
    return this.pool.take(length);
  }
}

export type LogFields = Record<string, unknown>;

/** A structured logger. Core never passes secrets or submitted codes in `fields`. */
export abstract class Logger {
  abstract debug(message: string, fields?: LogFields): void;
  abstract info(message: string, fields?: LogFields): void;
  abstract warn(message: string, fields?: LogFields): void;
  abstract error(message: string, fields?: LogFields): void;
}

export class NoopLogger extends Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
}

/** Writes one JSON object per line: fields are encoded, never interpolated (ASVS 16.4.1). */
export class JsonLineLogger extends Logger {
  constructor(
    private readonly write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  ) {
    super();
  }
  private log(level: string, message: string, fields?: LogFields): void {
    // Fields first, so they can never overwrite level, time or message.
    this.write(JSON.stringify({ ...fields, level, time: new Date().toISOString(), message }));
  }
  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }
}

/** Outbound HTTP for providers that talk to a remote service. */
export abstract class HttpClient {
  abstract fetch(input: string | URL, init?: RequestInit): Promise<Response>;
}

export class FetchHttpClient extends HttpClient {
  fetch(input: string | URL, init?: RequestInit): Promise<Response> {
    return globalThis.fetch(input, init);
  }
}
