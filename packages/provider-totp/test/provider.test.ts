/**
 * The provider itself: activation prompt (QR, URI, grouped key), secrets from core's RandomSource
 * (SS-01, ASVS 6.5.3, RFC 6238 §5.1), decorator metadata for injection, the built output.
 */
import { Clock, CryptoRandomSource, Logger, NoopLogger, RandomSource } from '@factorkit/core';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { TotpProvider } from '../src/totp-provider.js';
import { appCode, ctx, settings } from './helpers.js';

class RecordingRandom extends RandomSource {
  readonly calls: number[] = [];
  readonly given: Uint8Array[] = [];
  private readonly real = new CryptoRandomSource();
  bytes(length: number): Uint8Array {
    this.calls.push(length);
    const b = this.real.bytes(length);
    this.given.push(b);
    return b;
  }
}

class RecordingLogger extends Logger {
  readonly warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  debug(): void {}
  info(): void {}
  error(): void {}
  warn(message: string, fields?: Record<string, unknown>): void {
    this.warnings.push({ message, ...(fields ? { fields } : {}) });
  }
}

describe('TotpProvider', () => {
  it('constructor parameters carry decorator metadata naming RandomSource, Clock and Logger (no `import type`)', () => {
    const meta = (Reflect as unknown as { getMetadata(k: string, t: object): unknown }).getMetadata(
      'design:paramtypes',
      TotpProvider,
    );
    expect(meta).toEqual([RandomSource, Clock, Logger]);
  });

  it('SS-01: each secret is exactly the bytes from the injected RandomSource, 20/32/64 by algorithm or the configured size', async () => {
    for (const [config, size] of [
      [settings(), 20],
      [settings({ algorithm: 'SHA256' }), 32],
      [settings({ algorithm: 'SHA512' }), 64],
      [settings({ algorithm: 'SHA512', secretSize: 16 }), 16],
      [settings({ secretSize: 128 }), 128],
    ] as const) {
      const random = new RecordingRandom();
      const provider = new TotpProvider(random, new FakeClock(), new NoopLogger());
      const begun = await provider.beginActivation(ctx(config), testUser());
      expect(random.calls).toEqual([size]);
      const secret = (begun.pending as { secret: string }).secret;
      expect(Buffer.from(Secret.fromBase32(secret).bytes)).toEqual(Buffer.from(random.given[0]!));
      expect(new URL(begun.prompt.otpauthUri).searchParams.get('secret')).toBe(secret);
    }
  });

  it('a RandomSource that returns too few bytes is an error, never a short secret', async () => {
    const short = new (class extends RandomSource {
      bytes(length: number): Uint8Array {
        return new Uint8Array(length - 1);
      }
    })();
    const provider = new TotpProvider(short, new FakeClock(), new NoopLogger());
    await expect(provider.beginActivation(ctx(), testUser())).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
    });
  });

  it('the activation prompt: QR as SVG and PNG data URL, grouped manual key, parameters, issuer and account', async () => {
    const clock = new FakeClock();
    const provider = new TotpProvider(new CryptoRandomSource(), clock, new NoopLogger());
    const user = testUser({ username: 'ops:alice@example.test' });
    const begun = await provider.beginActivation(ctx(settings({ issuer: 'ACME Billing' })), user);
    const p = begun.prompt;
    expect(p.kind).toBe('qr-enrollment');
    expect(p.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(p.qrSvg.trim().endsWith('</svg>')).toBe(true);
    expect(p.qrPngDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const png = Buffer.from(p.qrPngDataUrl.split(',')[1]!, 'base64');
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const secret = (begun.pending as { secret: string }).secret;
    expect(p.manualKey).toMatch(/^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/);
    expect(p.manualKey.replace(/ /g, '')).toBe(secret);
    expect(p).toMatchObject({
      digits: 6,
      period: 30,
      algorithm: 'SHA1',
      issuer: 'ACME Billing',
      accountName: 'ops:alice@example.test',
    });
    expect(p.otpauthUri).toBe(
      `otpauth://totp/ACME%20Billing:ops%3Aalice%40example.test?issuer=ACME%20Billing&secret=${secret}`,
    );
    // The pending state is plain JSON (core encrypts it) and completes with the app's code.
    expect(JSON.parse(JSON.stringify(begun.pending))).toEqual(begun.pending);
    const done = await provider.completeActivation(
      ctx(),
      user,
      begun.pending,
      appCode({ secret, algorithm: 'SHA1', digits: 6, period: 30 }, clock.now()),
    );
    expect(done).toEqual({
      ok: true,
      enrollment: { secret, algorithm: 'SHA1', digits: 6, period: 30 },
      counter: Math.floor(clock.now() / 30_000),
      label: 'Authenticator app',
    });
  });

  it('CF-02: non-default algorithm, digits or period log a compatibility warning (without the secret)', async () => {
    const logger = new RecordingLogger();
    const provider = new TotpProvider(new CryptoRandomSource(), new FakeClock(), logger);
    await provider.beginActivation(ctx(), testUser());
    expect(logger.warnings).toEqual([]);
    const begun = await provider.beginActivation(ctx(settings({ digits: 8 })), testUser());
    expect(logger.warnings).toHaveLength(1);
    expect(JSON.stringify(logger.warnings)).not.toContain(
      (begun.pending as { secret: string }).secret,
    );
  });

  it('a malformed enrollment or pending state is ERROR (fail closed), never success', async () => {
    const provider = new TotpProvider(new CryptoRandomSource(), new FakeClock(), new NoopLogger());
    const user = testUser();
    for (const bad of [
      null,
      {},
      { secret: 'not base32!', algorithm: 'SHA1', digits: 6, period: 30 },
      { secret: 'GEZDGNBV', algorithm: 'MD5', digits: 6, period: 30 },
    ]) {
      await expect(
        provider.verify(ctx(), user, bad as never, null, '123456'),
      ).resolves.toMatchObject({ ok: false, reason: 'ERROR' });
      await expect(
        provider.completeActivation(ctx(), user, bad as never, '123456'),
      ).resolves.toMatchObject({ ok: false, reason: 'ERROR' });
    }
  });
});

describe('built output (dist) smoke test', () => {
  it('the package entry point exports a working provider', async () => {
    const dist = (await import(
      new URL('../dist/index.js', import.meta.url).href
    )) as typeof import('../src/index.js');
    expect(dist.TotpProvider.name).toBe('TotpProvider');
    expect(dist.selfTest(['SHA1', 'SHA256', 'SHA512'])).toEqual([]);
    expect(dist.normaliseBase32Secret('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toBe(
      'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
    );
    expect(dist.canonicalCode('123 456', 6)).toBe('123456');
    // Registered as a class: core's container must inject the services from the emitted metadata.
    const h = createHarness({ providers: [dist.TotpProvider] });
    const started = await h.service.beginActivation(testUser(), 'totp');
    expect(started.prompt.kind).toBe('qr-enrollment');
  });
});
