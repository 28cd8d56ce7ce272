/**
 * Starts an emulator on https's default port 443, where a client names it without a port
 * (`Host: 127.0.0.1`). Several test files need that port, and vitest runs files in parallel,
 * so a busy port is retried until the other file has stopped its emulator. When the process may
 * not bind 443 at all (not root, no CAP_NET_BIND_SERVICE), it resolves to a reason to skip.
 */
import {
  generateCertificates,
  startDuoEmulator,
  type DuoEmulator,
  type DuoEmulatorOptions,
} from '../../src/index.js';

export const DEFAULT_PORT = 443;

export type DefaultPortStart = { emu: DuoEmulator } | { skip: string };

export async function startOnDefaultPort(
  options: Omit<DuoEmulatorOptions, 'port'> = {},
  waitMs = 50_000,
): Promise<DefaultPortStart> {
  const deadline = Date.now() + waitMs;
  const certificates = options.certificates ?? (await generateCertificates());
  for (;;) {
    try {
      return { emu: await startDuoEmulator({ ...options, certificates, port: DEFAULT_PORT }) };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EACCES' || code === 'EPERM')
        return { skip: `cannot bind port ${DEFAULT_PORT} here (${code}); run the tests as root` };
      if (code !== 'EADDRINUSE' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
