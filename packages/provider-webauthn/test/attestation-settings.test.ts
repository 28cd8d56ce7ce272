/**
 * WA-14: the attestation policy is checked when the deployment boots. An allow-list without
 * anchors (a fake control), anchors without an allow-list, or a malformed entry stops the
 * process, each problem reported with its path and without echoing a certificate.
 */
import { ConfigValidationError, configJsonSchema } from '@factorkit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebauthnSettings } from '../src/settings.js';
import { TestAttestationCa } from '../src/testing/index.js';
import { LISTED } from './attestation-helpers.js';
import { harness } from './helpers.js';

const PATH = 'providers.webauthn.settings.attestation';
let root: TestAttestationCa;
let expired: TestAttestationCa;

beforeAll(async () => {
  root = await TestAttestationCa.create();
  expired = await TestAttestationCa.create({
    notBefore: new Date(Date.UTC(2020, 0, 1)),
    notAfter: new Date(Date.UTC(2021, 0, 1)),
  });
});

/** The issues loading `attestation` reports, as `path: message`. */
function issuesOf(attestation: unknown): string[] {
  try {
    harness({ attestation });
  } catch (err) {
    if (err instanceof ConfigValidationError)
      return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('WA-14: attestation settings', () => {
  it('WA-14: a list with its anchors loads; AAGUIDs in upper case are accepted', async () => {
    expect(issuesOf({ allowedAaguids: [LISTED.toUpperCase()], trustAnchors: [root.pem] })).toEqual(
      [],
    );
  });

  it('WA-14: an allow-list without anchors, or anchors without an allow-list, fails', () => {
    expect(issuesOf({ allowedAaguids: [LISTED] })).toEqual([
      `${PATH}: trustAnchors is required with allowedAaguids: an AAGUID that no certificate chain vouches for is only a claim`,
    ]);
    expect(issuesOf({ allowedAaguids: [LISTED], trustAnchors: [] })).toHaveLength(1);
    expect(issuesOf({ trustAnchors: [root.pem] })).toEqual([
      `${PATH}: allowedAaguids is required with trustAnchors: list the models the anchors may vouch for`,
    ]);
    expect(issuesOf({})).toEqual([
      `${PATH}: needs allowedAaguids and trustAnchors (or leave attestation out)`,
    ]);
  });

  it('WA-14: a malformed AAGUID is reported with its index', () => {
    for (const bad of ['not-a-uuid', '2fc0579f811347eab116bb5a8db9202a', 42])
      expect(issuesOf({ allowedAaguids: [LISTED, bad], trustAnchors: [root.pem] })).toEqual([
        `${PATH}: allowedAaguids[1] must be an AAGUID (8-4-4-4-12 hex digits)`,
      ]);
    expect(issuesOf({ allowedAaguids: LISTED, trustAnchors: [root.pem] })).toEqual([
      `${PATH}: allowedAaguids must be a list of at most 200 AAGUIDs`,
    ]);
  });

  it('WA-14: a malformed, non-CA, expired or doubled PEM anchor is reported with its index', async () => {
    const anchor = (pem: unknown) => issuesOf({ allowedAaguids: [LISTED], trustAnchors: [pem] });
    expect(anchor('-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----')).toEqual([
      `${PATH}: trustAnchors[0] is not a readable X.509 certificate`,
    ]);
    expect(anchor('hello')).toEqual([
      `${PATH}: trustAnchors[0] must hold exactly one PEM certificate (-----BEGIN CERTIFICATE-----)`,
    ]);
    expect(anchor(root.pem + root.pem)).toEqual([
      `${PATH}: trustAnchors[0] must hold exactly one PEM certificate (-----BEGIN CERTIFICATE-----)`,
    ]);
    expect(anchor(expired.pem)).toEqual([
      `${PATH}: trustAnchors[0] expired on 2021-01-01T00:00:00.000Z`,
    ]);
    const leaf = await root.attestation('packed');
    const leafPem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(leaf.x5c[0]!).toString('base64')}\n-----END CERTIFICATE-----`;
    expect(anchor(leafPem)).toEqual([
      `${PATH}: trustAnchors[0] is not a CA certificate (basic constraints CA is not set)`,
    ]);
    expect(anchor(7)).toEqual([
      `${PATH}: trustAnchors[0] must be a PEM certificate of at most 16384 characters`,
    ]);
  });

  it('WA-14: an unknown key or a value that is no object fails', () => {
    expect(
      issuesOf({ allowedAaguids: [LISTED], trustAnchors: [root.pem], allowNone: true }),
    ).toEqual([`${PATH}: allowNone is not a known setting`]);
    expect(issuesOf('direct')).toEqual([
      `${PATH}: must be an object with allowedAaguids and trustAnchors (or left out for attestation "none")`,
    ]);
    // Left out or null: attestation none.
    expect(issuesOf(null)).toEqual([]);
    expect(issuesOf(undefined)).toEqual([]);
  });

  it('WA-14: admin forms see the policy as optional, with its label and help', () => {
    const schema = configJsonSchema(WebauthnSettings) as {
      required: string[];
      properties: Record<string, Record<string, unknown>>;
    };
    expect(schema.required).toEqual(['rpId', 'rpName', 'origins']);
    const field = schema.properties['attestation'];
    expect(field?.['title']).toBe('Attestation policy');
    expect(String(field?.['description'])).toMatch(/allowedAaguids.*trustAnchors/);
  });
});
