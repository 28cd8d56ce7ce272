/**
 * Loads the `reflect-metadata` polyfill, which every decorator (tsyringe's, class-validator's,
 * `@Field`) relies on. Modules that declare decorated classes import this file first; ES module
 * order then guarantees the polyfill runs before their bodies. Through require rather than
 * `import 'reflect-metadata'`: start-up cost (see cjs-require.ts).
 */
import { requireCjs } from './cjs-require.js';

requireCjs('reflect-metadata');
