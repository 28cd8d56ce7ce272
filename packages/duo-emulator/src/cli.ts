#!/usr/bin/env node
/**
 * factorkit-duo-emulator: starts an offline Duo on loopback and prints what a developer needs
 * (API hostname, application credentials, CA certificate path, admin token).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startDuoEmulator } from './emulator.js';
import { PROMPT_ACTIONS, PUSH_ANSWERS, type PromptAction, type PushAnswer } from './state/users.js';

/** An enumerated option's value, refused (exit 1, no server started) when not in the list. */
function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(
      `--${flag} must be one of: ${allowed.join(', ')} (got ${JSON.stringify(value)})`,
    );
  return value as T;
}

const HELP = `Usage: factorkit-duo-emulator [options]

  --port <n>            port on 127.0.0.1 (default 8443; 0 = any free port)
  --ca-out <dir>        directory to write ca.pem into (default: <tmp>/factorkit-duo-emulator)
  --certs-dir <dir>     use ca.pem, server.pem, server-key.pem from this directory
  --max-users <n>       Free-plan style user limit (e.g. 10)
  --push-answer <a>     approve | deny | fraud | timeout | manual (default manual)
  --prompt-action <a>   interactive | approve | deny (default interactive)
  --no-seed             start without the demo users
  --json                print one JSON object instead of text
  -h, --help            this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8443' },
      'ca-out': { type: 'string' },
      'certs-dir': { type: 'string' },
      'max-users': { type: 'string' },
      'push-answer': { type: 'string' },
      'prompt-action': { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const pushAnswer = oneOf('push-answer', values['push-answer'], PUSH_ANSWERS);
  const promptAction = oneOf('prompt-action', values['prompt-action'], PROMPT_ACTIONS);
  const emu = await startDuoEmulator({
    port: Number(values.port),
    ...(values['certs-dir'] ? { certsDir: resolve(values['certs-dir']) } : {}),
    ...(values['max-users'] ? { maxUsers: Number(values['max-users']) } : {}),
    seed: !values['no-seed'],
    faults: {
      ...(pushAnswer ? { pushAnswer: pushAnswer satisfies PushAnswer } : {}),
      ...(promptAction ? { promptAction: promptAction satisfies PromptAction } : {}),
    },
  });
  const outDir = resolve(values['ca-out'] ?? join(tmpdir(), 'factorkit-duo-emulator'));
  await mkdir(outDir, { recursive: true });
  const caFile = join(outDir, 'ca.pem');
  await writeFile(caFile, emu.caPem, { mode: 0o644 });
  const web = emu.webSdkApp!;
  const api = emu.authApiApp!;
  const info = {
    apiHost: emu.apiHost,
    caFile,
    webSdk: { clientId: web.clientId, clientSecret: web.clientSecret },
    authApi: { integrationKey: api.ikey, secretKey: api.skey },
    adminToken: emu.adminToken,
    pushInbox: `${emu.baseUrl}/_emulator/pushes?token=${encodeURIComponent(emu.adminToken)}`,
    users: emu.users
      .list()
      .map((u) => ({ username: u.username, status: u.status, enrolled: emu.users.isEnrolled(u) })),
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(info) + '\n');
  } else {
    process.stdout.write(
      [
        'factorkit duo-emulator is running (development only; HTTPS on loopback)',
        `  API hostname            ${info.apiHost}`,
        `  CA certificate          ${info.caFile}`,
        '  Web SDK (Universal Prompt)',
        `    Client ID             ${info.webSdk.clientId}`,
        `    Client Secret         ${info.webSdk.clientSecret}`,
        '  Auth API',
        `    Integration Key       ${info.authApi.integrationKey}`,
        `    Secret Key            ${info.authApi.secretKey}`,
        `  Admin token             ${info.adminToken}`,
        `  Pending pushes page     ${info.pushInbox}`,
        `  Users                   ${info.users.map((u) => `${u.username} (${u.status}${u.enrolled ? '' : ', not enrolled'})`).join(', ') || 'none'}`,
        'Press Ctrl+C to stop.',
        '',
      ].join('\n'),
    );
  }
  const shutdown = (): void => {
    void emu.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `factorkit-duo-emulator: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
