import { describe } from 'vitest';
import { expressRig } from './express-rig.js';
import { routeSuite } from './route-suite.js';

describe('the Express 5 adapter, over real HTTP', () => routeSuite(expressRig));
