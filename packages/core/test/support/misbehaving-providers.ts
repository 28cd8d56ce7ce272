/**
 * Deliberately broken providers, each the honest clock-code provider with one defect, for
 * proving that the conformance kit fails them. Core's service accepts every one of them (the
 * defect is the provider's), which is why the kit must catch it.
 */
import {
  Clock,
  defineProvider,
  type ActivationOutcome,
  type ProviderCapabilities,
  type ProviderFactory,
  type TwoFactorProvider,
  type VerifyOutcome,
} from '../../src/index.js';
import { ClockCodeProvider } from './clock-code-provider.js';

interface Defect {
  capabilities?: Partial<ProviderCapabilities>;
  /** Rewrites what the honest provider's verify returned. */
  verify?(honest: VerifyOutcome, clock: Clock): unknown;
  /** Rewrites what the honest provider's completeActivation returned. */
  completeActivation?(honest: ActivationOutcome, clock: Clock): unknown;
}

function withDefect(defect: Defect): ProviderFactory {
  return defineProvider(({ clock }) => {
    const honest = new ClockCodeProvider(clock);
    const provider: TwoFactorProvider = {
      id: honest.id,
      displayName: honest.displayName,
      coreVersion: honest.coreVersion,
      configSchema: honest.configSchema,
      capabilities: { ...honest.capabilities, ...defect.capabilities },
      beginActivation: (ctx, user) => honest.beginActivation(ctx as never, user),
      beginChallenge: (ctx) => honest.beginChallenge(ctx as never),
      async completeActivation(ctx, user, pending, input) {
        const out = await honest.completeActivation(ctx as never, user, pending, input);
        return (defect.completeActivation?.(out, clock) ?? out) as ActivationOutcome;
      },
      async verify(ctx, user, enrollment, pending, input) {
        const out = await honest.verify(ctx as never, user, enrollment, pending, input);
        return (defect.verify?.(out, clock) ?? out) as VerifyOutcome;
      },
    };
    return provider;
  });
}

const withoutCounter = <T extends { ok: boolean }>(o: T): unknown => {
  if (!o.ok) return o;
  const { counter: _counter, ...rest } = o as T & { counter?: number };
  return rest;
};

/** Declares `replayCounter: false` yet its codes stay valid for a whole step. */
export const reusableCodeProvider = withDefect({
  capabilities: { replayCounter: false },
  verify: withoutCounter,
  completeActivation: withoutCounter,
});

/** Reports the moment (milliseconds) as its counter, not the step: a code reused later passes. */
export const millisecondCounterProvider = withDefect({
  verify: (o, clock) => (o.ok ? { ...o, counter: clock.now() } : o),
  completeActivation: (o, clock) => (o.ok ? { ...o, counter: clock.now() } : o),
});

class VerifyResult {
  constructor(
    readonly ok: boolean,
    readonly counter?: number,
  ) {}
}

/** Answers verify with a class instance. */
export const classOutcomeProvider = withDefect({
  verify: (o) => (o.ok ? new VerifyResult(true, o.counter) : o),
});

/** Answers verify with an object whose `ok` comes from its prototype. */
export const inheritedOkProvider = withDefect({
  verify: (o) =>
    o.ok ? Object.assign(Object.create({ ok: true }) as object, { counter: o.counter }) : o,
});

/** Answers verify with a getter for `ok`. */
export const getterOkProvider = withDefect({
  verify: (o) =>
    o.ok
      ? {
          get ok() {
            return true;
          },
          counter: o.counter,
        }
      : o,
});

/** Hands back the remote check's fetch Response (its `ok` is a getter on Response.prototype). */
export const responseOutcomeProvider = withDefect({
  capabilities: { replayCounter: false },
  verify: (o) => (o.ok ? new Response(null, { status: 204 }) : o),
  completeActivation: withoutCounter,
});
