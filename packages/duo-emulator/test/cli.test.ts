// Smoke test of the built CLI (dist/cli.js, what ships): it starts, prints what a developer
// needs, writes the CA file, and the printed credentials work with the official SDK.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@duosecurity/duo_universal';
import { afterAll, describe, expect, it } from 'vitest';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const outDir = mkdtempSync(join(tmpdir(), 'duo-emu-cli-'));
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(outDir, { recursive: true, force: true });
});

describe('factorkit-duo-emulator CLI (built output)', () => {
  it('starts, prints host, credentials and CA path; the credentials work', async () => {
    expect(existsSync(cli), 'run `npx tsc -b` first: dist/cli.js is missing').toBe(true);
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    child = spawn(process.execPath, [cli, '--port', '0', '--json', '--ca-out', outDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
      child!.once('exit', (code) => reject(new Error(`cli exited with ${code}`)));
    });
    const info = JSON.parse(line) as {
      apiHost: string;
      caFile: string;
      webSdk: { clientId: string; clientSecret: string };
      authApi: { integrationKey: string; secretKey: string };
      adminToken: string;
    };
    expect(info.apiHost).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(info.caFile).toBe(join(outDir, 'ca.pem'));
    const ca = readFileSync(info.caFile, 'utf8');
    expect(ca).toContain('BEGIN CERTIFICATE');
    expect(info.webSdk.clientId).toHaveLength(20);
    expect(info.webSdk.clientSecret).toHaveLength(40);
    expect(info.authApi.integrationKey).toHaveLength(20);
    expect(info.authApi.secretKey).toHaveLength(40);
    const client = new Client({
      ...info.webSdk,
      apiHost: info.apiHost,
      redirectUrl: 'https://app.example.test/cb',
    });
    trustCaForDuoClient(client, ca);
    expect((await client.healthCheck()).stat).toBe('OK');
    const state = await httpsRequest(`https://${info.apiHost}/_emulator/state`, {
      ca,
      headers: { 'x-emulator-token': info.adminToken },
    });
    expect(state.json().users.map((u: { username: string }) => u.username)).toContain('alice');
  });

  it.each([
    ['--push-answer', 'zzz', /--push-answer must be one of: approve, deny, fraud, timeout, manual/],
    ['--prompt-action', 'zzz', /--prompt-action must be one of: interactive, approve, deny/],
  ])('refuses %s %s and exits 1 without starting', async (flag, value, message) => {
    const bad = spawn(process.execPath, [cli, '--port', '0', '--json', flag, value], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    bad.stdout.on('data', (d: Buffer) => (out += d.toString()));
    bad.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => bad.once('exit', r));
    expect(code).toBe(1);
    expect(err).toMatch(message);
    expect(out).toBe('');
  });
});
