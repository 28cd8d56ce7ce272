#!/usr/bin/env node
// A minimal host application in the terminal: it registers the TOTP provider, validates a
// deployment config, then walks one enrollment and one login through TwoFactorService.
//
//   node examples/terminal-host.mjs                # an "authenticator app" in this script types the codes
//   node examples/terminal-host.mjs --interactive  # scan the QR code with your phone and type the codes
//
// It uses only the packages' public exports, as a host application would.
import { createInterface } from 'node:readline/promises';
import { stdin, stdout } from 'node:process';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import {
  CryptoRandomSource,
  FactorkitError,
  MemoryAuditSink,
  MemoryStore,
  ProviderRegistry,
  TwoFactorService,
  generateEncryptionKey,
  loadDeploymentConfig,
} from '@factorkit/core';
import { TotpProvider } from '@factorkit/provider-totp';

const interactive = process.argv.includes('--interactive') && stdin.isTTY;
const rl = interactive ? createInterface({ input: stdin, output: stdout }) : undefined;
const say = (line = '') => stdout.write(line + '\n');

// 1. The host registers providers and loads its deployment config (here an object; a JSON file
//    path works too, with {"$env": "NAME"} references for secrets).
const registry = new ProviderRegistry();
registry.register(TotpProvider);
const config = loadDeploymentConfig(
  {
    providers: { totp: { enabled: true, settings: { issuer: 'Example Billing' } } },
    policy: {
      audiences: { client: { force: true, notEnrolled: 'enroll' }, admin: { force: true } },
    },
    encryption: {
      activeKeyId: 'demo',
      keys: { demo: generateEncryptionKey(new CryptoRandomSource()) },
    },
  },
  registry,
);
const audit = new MemoryAuditSink();
const service = new TwoFactorService({ registry, config, stores: new MemoryStore(), audit });

// The "authenticator app" of the non-interactive walk-through: it reads the otpauth:// URI the
// user would scan and computes codes with the otpauth library.
let app;
async function nextCode(label) {
  if (rl) return (await rl.question(`${label}: `)).trim();
  const code = app.generate();
  say(`${label}: ${code}   (typed by the simulated authenticator app)`);
  return code;
}

function explain(err) {
  if (err instanceof FactorkitError) return `${err.code}: ${err.message}`;
  throw err;
}

const user = { id: 'user-1001', audience: 'client', username: 'alice', email: 'alice@example.com' };
say('factorkit terminal host');
say('=======================');
say(`Signed in with a password as ${user.email} (audience "${user.audience}").`);

// 2. After the password: what next?
let requirement = await service.requirement(user);
say(`requirement -> ${JSON.stringify(requirement)}`);

// 3. Enrollment: the provider returns a QR prompt; core keeps the pending secret, encrypted.
const activation = await service.beginActivation(user, 'totp');
const prompt = activation.prompt;
say('');
say('Scan this QR code with an authenticator app, or type the key by hand:');
say(await QRCode.toString(prompt.otpauthUri, { type: 'terminal', small: true }));
say(
  `  key: ${prompt.manualKey}   (${prompt.algorithm}, ${prompt.digits} digits, ${prompt.period} s)`,
);
app = OTPAuth.URI.parse(prompt.otpauthUri);

let done;
for (;;) {
  try {
    done = await service.completeActivation(
      activation.activationId,
      user,
      await nextCode('Code from the app'),
    );
    break;
  } catch (err) {
    say(`  refused: ${explain(err)}`);
    if (!(err instanceof FactorkitError) || err.details.retryable !== true) process.exit(1);
  }
}
say('Enrolled. Recovery codes (shown once, keep them safe):');
for (const c of done.recoveryCodes ?? []) say(`  ${c}`);

// 4. Login: a new sign-in after the password.
say('');
requirement = await service.requirement(user);
say(`Next sign-in. requirement -> ${JSON.stringify(requirement)}`);
if (!interactive) {
  say('(waiting for the next 30-second step, since the enrollment code may not be used twice)');
  await new Promise((r) =>
    setTimeout(r, (app.period - (Math.floor(Date.now() / 1000) % app.period)) * 1000 + 200),
  );
}
const challenge = await service.beginChallenge(user);
let code;
for (;;) {
  code = await nextCode('Code from the app');
  try {
    const result = await service.completeChallenge(challenge.challengeId, user, code);
    say(`Signed in with the second factor: ${JSON.stringify(result)}`);
    break;
  } catch (err) {
    say(`  refused: ${explain(err)}`);
    if (!(err instanceof FactorkitError) || err.details.retryable !== true) process.exit(1);
  }
}

// 5. The same code again, in another sign-in: replay protection refuses it.
say('');
const replay = await service.beginChallenge(user);
try {
  await service.completeChallenge(replay.challengeId, user, code);
  say('UNEXPECTED: a replayed code was accepted');
  process.exit(1);
} catch (err) {
  say(`Replaying the same code in a new sign-in -> ${explain(err)}`);
}

// 6. A recovery code instead of the app.
const recovery = await service.useRecoveryCode(user, done.recoveryCodes[0].toLowerCase());
say(`Signed in with a recovery code -> ${recovery.recoveryCodesRemaining} left`);

say('');
say('Audit trail:');
for (const e of audit.events)
  say(
    `  ${e.at}  ${e.type}${'providerId' in e ? `  ${e.providerId}` : ''}${'reason' in e ? `  ${e.reason}` : ''}`,
  );
rl?.close();
