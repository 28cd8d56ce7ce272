import { describe } from 'vitest';
import { fastifyRig } from './fastify-rig.js';
import { routeSuite } from './route-suite.js';

describe('the Fastify 5 adapter, over real HTTP', () => routeSuite(fastifyRig));
