/**
 * Demo users on first start: one admin and two clients, with random passwords kept (with the
 * data folder's other demo material) in `demo-logins.json`, readable by its owner only, so every
 * start can print them. A real deployment creates its users its own way.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from './passwords.js';
import type { Role, UserStore } from './user-store.js';

export interface DemoLogin {
  email: string;
  password: string;
  role: Role;
  name: string;
}

const DEMO: ReadonlyArray<Omit<DemoLogin, 'password'> & { licenseKey: string }> = [
  { email: 'admin@example.com', name: 'Ada Admin', role: 'admin', licenseKey: 'Leased-a1b2c3d4e5' },
  { email: 'client1@example.com', name: 'Chris Client', role: 'client', licenseKey: '' },
  { email: 'client2@example.com', name: 'Casey Client', role: 'client', licenseKey: '' },
];

function randomPassword(): string {
  // 12 characters from an alphabet without look-alikes: ~70 bits, easy to type from the terminal.
  const alphabet = 'abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(12);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** Seeds the demo users once (when there are no users at all); returns the demo logins. */
export async function seedDemoUsers(
  users: UserStore,
  dataDir: string,
  now: number,
): Promise<DemoLogin[]> {
  const file = join(dataDir, 'demo-logins.json');
  if ((await users.count()) > 0) {
    if (!existsSync(file)) return [];
    return JSON.parse(readFileSync(file, 'utf8')) as DemoLogin[];
  }
  const logins: DemoLogin[] = [];
  for (const demo of DEMO) {
    const password = randomPassword();
    await users.create(
      { ...demo, passwordHash: await hashPassword(password), licenseKey: demo.licenseKey },
      now,
    );
    logins.push({ email: demo.email, password, role: demo.role, name: demo.name });
  }
  writeFileSync(file, JSON.stringify(logins, null, 2) + '\n', { mode: 0o600 });
  return logins;
}
