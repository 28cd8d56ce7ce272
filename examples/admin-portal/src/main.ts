#!/usr/bin/env node
/**
 * Starts the demo portal: creates the data folder and database on first start, seeds the demo
 * users, starts the offline Duo and YubiCloud stand-ins, builds factorkit from the stored
 * deployment config and serves the client and admin areas. Prints the URL and the demo logins.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPortal } from './start.js';
import { readSettings, SettingsError } from './settings.js';

async function main(): Promise<void> {
  let settings;
  try {
    settings = readSettings();
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(`portal: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const running = await startPortal(settings, port);
  server.on('request', running.app);
  const lines = [
    '',
    `factorkit demo portal: ${running.origin}/`,
    `  data folder   ${settings.dataDir}${settings.databaseUrl ? ' (database: PostgreSQL)' : ' (database: SQLite)'}`,
    running.demoNotice ? `  ${running.demoNotice}` : '',
    '  demo logins (password-only until you enroll a second factor):',
    ...running.logins.map((l) => `    ${l.role.padEnd(6)} ${l.email.padEnd(22)} ${l.password}`),
    '',
    'Press Ctrl+C to stop.',
  ];
  console.log(lines.filter((l) => l !== '').join('\n'));
  const stop = () => {
    server.closeAllConnections();
    server.close();
    void running.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error('portal: could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
