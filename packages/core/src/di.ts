// reflect-metadata must be loaded before tsyringe reads any decorator metadata. Core owns that
// ordering so that hosts and provider authors never import tsyringe themselves.
import './reflect-polyfill.js';
import type { DependencyContainer } from 'tsyringe';
import { requireCjs } from './cjs-require.js';

// Through require, not import: start-up cost (see cjs-require.ts).
const { container, inject, injectable } = requireCjs('tsyringe') as typeof import('tsyringe');

export { container as rootContainer, inject, injectable };
export type { DependencyContainer };
