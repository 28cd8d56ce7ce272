// reflect-metadata must be loaded before tsyringe reads any decorator metadata. Core owns that
// ordering so that hosts and provider authors never import tsyringe themselves.
import 'reflect-metadata';
import { container, inject, injectable, type DependencyContainer } from 'tsyringe';

export { container as rootContainer, inject, injectable };
export type { DependencyContainer };
