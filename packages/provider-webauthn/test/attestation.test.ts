/**
 * WA-14: the AAGUID allow-list with verified attestation. Only a listed model whose attestation
 * chains to one of this deployment's anchors registers; everything else is refused with
 * PROVIDER_DENIED and a reason, audited as a failed activation, and nothing is stored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TestAttestationCa } from '../src/testing/index.js';
import { authenticator, enroll, harness, signIn } from './helpers.js';
import {
  LISTED,
  UNLISTED,
  ZERO_AAGUID,
  attestedHarness,
  registration,
} from './attestation-helpers.js';

let vendor: TestAttestationCa;
let vendorIssuing: TestAttestationCa;
let stranger: TestAttestationCa;

beforeAll(async () => {
  vendor = await TestAttestationCa.create({ name: 'Vendor Root' });
  vendorIssuing = await vendor.intermediate({ name: 'Vendor Attestation CA' });
  stranger = await TestAttestationCa.create({ name: 'Vendor Root' });
});

const DENIED = (reason: string) => ({ outcome: 'PROVIDER_DENIED', reason });

describe('WA-14: attestation with an AAGUID allow-list', () => {
  it('WA-14: a listed model attested through an intermediate registers, is recorded as attested and signs in', async () => {
    const h = attestedHarness([vendor]);
    const identity = await vendorIssuing.attestation('packed', { aaguid: LISTED });
    const key = authenticator({ aaguid: LISTED, attestation: identity });
    const done = await registration(h, key);
    expect(done.options['attestation']).toBe('direct');
    expect(done.outcome).toBe('SUCCESS');
    expect(done.enrollment).toMatchObject({ aaguid: LISTED, fmt: 'packed', attested: true });
    const other = authenticator({ aaguid: LISTED, attestation: identity });
    const { user, enrollmentId } = await enroll(h, other);
    expect(await (await signIn(h, other, user, enrollmentId)).result).toBe('SUCCESS');
  });
});
