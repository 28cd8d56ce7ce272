/**
 * The clock-code provider's behaviour behind a README-style constructor, (clock, random), in a
 * class with no decorator anywhere in its chain: so no decorator metadata, as under esbuild.
 * Tests apply `Provider(...)` to it (or to a subclass) by hand.
 */
import type {
  Clock,
  JsonValue,
  ProviderContext,
  RandomSource,
  TwoFactorProvider,
  TwoFactorUser,
} from '../../src/index.js';
import { ClockCodeProvider, ClockCodeSettings } from './clock-code-provider.js';

type Ctx = ProviderContext<ClockCodeSettings>;

export class UndecoratedProvider implements TwoFactorProvider<ClockCodeSettings, JsonValue> {
  readonly id = 'clock-code';
  readonly displayName = 'Clock code';
  readonly configSchema = ClockCodeSettings;
  private readonly honest: ClockCodeProvider;
  readonly coreVersion: string;
  readonly capabilities: ClockCodeProvider['capabilities'];

  constructor(
    readonly clock: Clock,
    readonly random: RandomSource,
  ) {
    this.honest = new ClockCodeProvider(clock);
    this.coreVersion = this.honest.coreVersion;
    this.capabilities = this.honest.capabilities;
  }

  beginActivation(ctx: Ctx, user: TwoFactorUser) {
    return this.honest.beginActivation(ctx, user);
  }
  completeActivation(ctx: Ctx, user: TwoFactorUser, pending: JsonValue, input: unknown) {
    return this.honest.completeActivation(ctx, user, pending, input);
  }
  beginChallenge(ctx: Ctx) {
    return this.honest.beginChallenge(ctx);
  }
  verify(ctx: Ctx, user: TwoFactorUser, e: JsonValue, pending: JsonValue, input: unknown) {
    return this.honest.verify(ctx, user, e, pending, input);
  }
}
