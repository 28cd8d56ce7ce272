/**
 * The demo users the CLI starts with (and `startDuoEmulator({ seed: true })`): one of each kind
 * a login page has to handle. Passcode `123456` works for alice.
 */
import type { UserInput } from './users.js';

export const DEMO_USERS: readonly UserInput[] = [
  {
    username: 'alice',
    aliases: ['alice@example.com'],
    email: 'alice@example.com',
    devices: [{ name: 'Alice iPhone', number: '+15555550101', sms: true, phone: true }],
    passcodes: ['123456'],
  },
  {
    username: 'bob',
    devices: [{ name: 'Bob phone', number: '+15555550102', push: false, sms: true, phone: true }],
  },
  { username: 'carol' },
  { username: 'bypass-user', status: 'bypass' },
  { username: 'disabled-user', status: 'disabled', devices: [{}] },
  { username: 'locked-user', status: 'locked_out', devices: [{}] },
];
