/**
 * WA-14: the AAGUID allow-list with verified attestation. Only a listed model whose attestation
 * chains to one of this deployment's anchors registers; everything else is refused with
 * PROVIDER_DENIED and a reason, audited as a failed activation, and nothing is stored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TestAttestationCa } from '../src/testing/index.js';
import { authenticator, enroll, harness, optionsOf, signIn } from './helpers.js';
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
  // Same name as the vendor's root, another key: only the signature tells them apart.
  stranger = await TestAttestationCa.create({ name: 'Vendor Root' });
});

const DENIED = (reason: string) => ({ outcome: 'PROVIDER_DENIED', reason });
const DAY_MS = 24 * 3600 * 1000;

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
    // Directly under the root, and with the root sent along in x5c, it registers too.
    const direct = await vendor.attestation('packed');
    expect(
      (await registration(h, authenticator({ aaguid: LISTED, attestation: direct }))).outcome,
    ).toBe('SUCCESS');
    const withRoot = [...identity.x5c, new Uint8Array(Buffer.from(vendor.certificate.rawData))];
    const third = authenticator({ aaguid: LISTED, attestation: identity });
    expect((await registration(h, third, { x5c: withRoot })).outcome).toBe('SUCCESS');
  });

  it('WA-14: a fido-u2f key registers only when the zero AAGUID is listed', async () => {
    const identity = await vendor.attestation('fido-u2f');
    const key = () => authenticator({ aaguid: ZERO_AAGUID, attestation: identity });
    const listed = await registration(attestedHarness([vendor], [LISTED, ZERO_AAGUID]), key());
    expect(listed.outcome).toBe('SUCCESS');
    expect(listed.enrollment).toMatchObject({ fmt: 'fido-u2f', attested: true });
    expect(await registration(attestedHarness([vendor]), key())).toMatchObject(
      DENIED('WA_AAGUID_NOT_ALLOWED'),
    );
  });

  it('WA-14: attestation none and packed self attestation are refused, audited, and store nothing', async () => {
    const h = attestedHarness([vendor]);
    const key = authenticator({ aaguid: LISTED });
    expect(await registration(h, key, { fmt: 'none' })).toMatchObject(
      DENIED('WA_ATTESTATION_REQUIRED'),
    );
    expect(await registration(h, key, { fmt: 'packed' })).toMatchObject(
      DENIED('WA_ATTESTATION_REQUIRED'),
    );
    const failed = h.audit.ofType('activation.failed');
    expect(failed.map((e) => [e.providerId, e.reason])).toEqual([
      ['webauthn', 'DENIED'],
      ['webauthn', 'DENIED'],
    ]);
    for (const e of failed) expect(await h.stores.enrollments.listByUser(e.userId)).toEqual([]);
  });

  it('WA-14: a model that is not listed is refused, whoever attests it', async () => {
    const h = attestedHarness([vendor]);
    const identity = await vendorIssuing.attestation('packed', { aaguid: UNLISTED });
    expect(
      await registration(h, authenticator({ aaguid: UNLISTED, attestation: identity })),
    ).toMatchObject(DENIED('WA_AAGUID_NOT_ALLOWED'));
  });

  it('WA-14: a chain to another CA, or one ending in its own self-signed root, is refused', async () => {
    const h = attestedHarness([vendor]);
    const foreign = await stranger.attestation('packed', { aaguid: LISTED });
    expect(
      await registration(h, authenticator({ aaguid: LISTED, attestation: foreign })),
    ).toMatchObject(DENIED('WA_ATTESTATION_UNTRUSTED'));
    // GHSA-6hxq-p678-4hr2: the attacker's own root appended to x5c earns no trust.
    const ownRoot = new Uint8Array(Buffer.from(stranger.certificate.rawData));
    const key = authenticator({ aaguid: LISTED, attestation: foreign });
    expect(await registration(h, key, { x5c: [...foreign.x5c, ownRoot] })).toMatchObject(
      DENIED('WA_ATTESTATION_UNTRUSTED'),
    );
  });

  it('WA-14: two providers in one process trust only their own anchors', async () => {
    const identity = await stranger.attestation('packed', { aaguid: LISTED });
    const key = () => authenticator({ aaguid: LISTED, attestation: identity });
    expect((await registration(attestedHarness([stranger]), key())).outcome).toBe('SUCCESS');
    expect(await registration(attestedHarness([vendor]), key())).toMatchObject(
      DENIED('WA_ATTESTATION_UNTRUSTED'),
    );
    expect((await registration(attestedHarness([vendor, stranger]), key())).outcome).toBe(
      'SUCCESS',
    );
  });

  it('WA-14: a forged AAGUID (authData says listed, the certificate names another model) is refused', async () => {
    const h = attestedHarness([vendor], [LISTED, ZERO_AAGUID]);
    // packed: the library compares the extension as well (WA-19), so it refuses first.
    const packed = await vendorIssuing.attestation('packed', { aaguid: UNLISTED });
    const forged = await registration(h, authenticator({ aaguid: LISTED, attestation: packed }));
    expect(forged.outcome).toBe('INVALID_CODE');
    // fido-u2f: the library reads no extension; the provider's own comparison refuses it.
    const u2f = await vendorIssuing.attestation('fido-u2f', { aaguid: UNLISTED });
    expect(
      await registration(h, authenticator({ aaguid: ZERO_AAGUID, attestation: u2f })),
    ).toMatchObject(DENIED('WA_AAGUID_MISMATCH'));
  });

  it('WA-14: a leaf expired at the server clock is refused (and one expired by the machine clock)', async () => {
    const h = attestedHarness([vendor]);
    const soon = new Date(Date.now() + 30 * DAY_MS);
    const identity = await vendorIssuing.attestation('packed', { aaguid: LISTED, notAfter: soon });
    const key = authenticator({ aaguid: LISTED, attestation: identity });
    h.clock.set(Date.now() + 60 * DAY_MS);
    expect(await registration(h, key)).toMatchObject(DENIED('WA_ATTESTATION_EXPIRED'));
    // Not yet valid at the server's time is refused the same way.
    h.clock.set(Date.UTC(2024, 0, 1));
    expect(await registration(h, key)).toMatchObject(DENIED('WA_ATTESTATION_EXPIRED'));
    h.clock.set(Date.now());
    const expired = await vendorIssuing.attestation('packed', {
      aaguid: LISTED,
      notAfter: new Date(Date.now() - DAY_MS),
    });
    const old = await registration(h, authenticator({ aaguid: LISTED, attestation: expired }));
    // The library checks a packed leaf against the machine's clock first.
    expect(old.outcome).toBe('INVALID_CODE');
  });

  it('WA-14: an attestation certificate that is a CA, or an issuer beyond its path length, is refused', async () => {
    const h = attestedHarness([vendor], [ZERO_AAGUID]);
    const caLeaf = await vendor.attestation('fido-u2f', { ca: true });
    expect(
      await registration(h, authenticator({ aaguid: ZERO_AAGUID, attestation: caLeaf })),
    ).toMatchObject(DENIED('WA_ATTESTATION_UNTRUSTED'));
    const strict = await TestAttestationCa.create({ pathLength: 0 });
    const below = await (await strict.intermediate()).intermediate();
    const deep = await below.attestation('fido-u2f');
    expect(
      await registration(
        attestedHarness([strict], [ZERO_AAGUID]),
        authenticator({ aaguid: ZERO_AAGUID, attestation: deep }),
      ),
    ).toMatchObject(DENIED('WA_ATTESTATION_UNTRUSTED'));
  });

  it('WA-14: without the policy nothing changes: attestation none, any claimed AAGUID, not attested', async () => {
    const h = harness();
    const claimed = await registration(h, authenticator({ aaguid: UNLISTED }));
    expect(claimed.options['attestation']).toBe('none');
    expect(claimed.outcome).toBe('SUCCESS');
    expect(claimed.enrollment).toMatchObject({ aaguid: UNLISTED, fmt: 'none', attested: false });
    // A full attestation from any CA is accepted as before, and still not called attested.
    const identity = await stranger.attestation('packed', { aaguid: UNLISTED });
    const full = await registration(h, authenticator({ aaguid: UNLISTED, attestation: identity }));
    expect(full.enrollment).toMatchObject({ fmt: 'packed', attested: false });
  });

  it('WA-15: an attested device-bound key is hardware-bound and still AAL2', async () => {
    const h = attestedHarness([vendor]);
    const identity = await vendor.attestation('packed', { aaguid: LISTED });
    const key = authenticator({ aaguid: LISTED, attestation: identity });
    const { user, enrollmentId } = await enroll(h, key);
    const started = await h.service.beginChallenge(user, { enrollmentId });
    const done = await h.service.completeChallenge(
      started.challengeId,
      user,
      key.authenticate(optionsOf(started)),
    );
    expect(done).toMatchObject({ ok: true, assurance: { hardwareBound: true, aal: 2 } });
  });
});
