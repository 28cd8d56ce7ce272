import { describe } from 'vitest';
import { directRig } from './direct-rig.js';
import { routeSuite } from './route-suite.js';

describe('the fetch handler, called directly', () => routeSuite(directRig));
