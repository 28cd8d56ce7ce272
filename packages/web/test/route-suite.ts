/**
 * The route suite, run on the fetch handler directly and over HTTP through Express and Fastify.
 * Each attack test names the SECURITY.md requirement it proves.
 */
import { describe } from 'vitest';
import { accountChecks } from './account-checks.js';
import { adminChecks } from './admin-checks.js';
import { attackChecks } from './attack-checks.js';
import { callbackChecks } from './callback-checks.js';
import { pollChecks } from './poll-checks.js';
import { deviceChecks } from './device-checks.js';
import { enumerationChecks } from './enumeration-checks.js';
import { routeChecks } from './route-checks.js';
import type { MakeRig } from './rig.js';
import { useRig } from './suite-kit.js';

export function routeSuite(make: MakeRig): void {
  const open = useRig(make);
  describe('routes', () => routeChecks(open));
  describe('attacks', () => attackChecks(open));
  describe('enumeration (BF-07)', () => enumerationChecks(open));
  describe('step-up and account', () => accountChecks(open));
  describe('admin', () => adminChecks(open));
  describe('Duo callback', () => callbackChecks(open));
  describe('push polling', () => pollChecks(open));
  describe('remembered devices', () => deviceChecks(open));
}
