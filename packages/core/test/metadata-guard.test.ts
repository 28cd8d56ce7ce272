import { describe, expect, it } from 'vitest';
import { Clock, HttpClient, Logger, Provider, RandomSource } from '../src/index.js';

@Provider()
class Probe {
  constructor(
    readonly clock: Clock,
    readonly random: RandomSource,
    readonly logger: Logger,
    readonly http: HttpClient,
  ) {}
}

describe('decorator metadata guard (TOOLCHAIN landmine 3)', () => {
  it('emits design:paramtypes naming the injected core service classes', () => {
    const types = Reflect.getMetadata('design:paramtypes', Probe) as unknown[];
    expect(types).toEqual([Clock, RandomSource, Logger, HttpClient]);
  });
});
