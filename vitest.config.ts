import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Test files live outside the packages' tsconfig "include", so tell vite's transformer
  // directly what tsc does for the build: legacy decorators with metadata (tsyringe and
  // class-validator need both; the guard test in packages/core/test fails without them).
  oxc: {
    decorator: { legacy: true, emitDecoratorMetadata: true },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
