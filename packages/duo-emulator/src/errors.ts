/**
 * Errors thrown by the emulator's library API (admin and fault calls). The emulator is a
 * stand-alone development tool that does not depend on @factorkit/core, so it carries its own
 * small typed error with a stable `code`, following the project's error conventions.
 */
export type DuoEmulatorErrorCode =
  | 'USER_EXISTS'
  | 'USER_NOT_FOUND'
  | 'USER_LIMIT_REACHED'
  | 'ALIAS_TAKEN'
  | 'APP_INVALID'
  | 'PUSH_NOT_FOUND'
  | 'OPTIONS_INVALID'
  | 'CERTS_INVALID'
  | 'NOT_RUNNING';

export class DuoEmulatorError extends Error {
  override readonly name = 'DuoEmulatorError';
  constructor(
    readonly code: DuoEmulatorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
