// Every store for a sign-in: what each step (beginChallenge, completeChallenge with a wrong code,
// with the right code) sends to the store's servers, and each store's sign-in rate against the
// memory store in the same process (same service, same provider: only the stores differ).
// PostgreSQL statements carry the goal of issue 17 (<= 3 / 3 / 4).
import { RIGS, RigUnavailable } from '../lib/store-rigs.mjs';
import { countSteps, enrolledUser } from '../lib/sign-in.mjs';

const GOALS = { begin: 3, wrong: 3, right: 4 };
const STEP_TITLES = {
  begin: 'beginChallenge',
  wrong: 'completeChallenge, wrong code',
  right: 'completeChallenge, right code',
};

export default {
  id: 'stores',
  async run(b) {
    const memory = await RIGS[0].open();
    const baseline = await enrolledUser(memory.stores);
    try {
      for (const rig of RIGS) {
        let opened;
        try {
          opened = await rig.open();
        } catch (err) {
          if (!(err instanceof RigUnavailable)) throw err;
          for (const step of ['statements', 'rate'])
            b.skip({
              id: `stores.${rig.id}.${step}`,
              title: `${rig.title}: sign-in`,
              reason: err.message,
            });
          continue;
        }
        try {
          const u = await enrolledUser(opened.stores);
          const steps = await countSteps(u, opened.counter);
          for (const [step, got] of Object.entries(steps)) {
            const pgGoal = rig.id === 'postgres' ? { max: GOALS[step], unit: '' } : undefined;
            b.record({
              id: `stores.${rig.id}.${step}.statements`,
              title: `${rig.title}: ${STEP_TITLES[step]}, statements`,
              value: got.statements,
              unit: 'statements',
              goal: pgGoal,
            });
            if (rig.id !== 'memory' && rig.id !== 'sqlite')
              b.record({
                id: `stores.${rig.id}.${step}.roundTrips`,
                title: `${rig.title}: ${STEP_TITLES[step]}, round trips`,
                value: got.roundTrips,
                unit: 'round trips',
              });
          }
          if (rig.id === 'memory') continue;
          await b.compare({
            id: `stores.${rig.id}.rate`,
            title: `sign-in (begin + complete right), ${rig.title} vs memory stores`,
            baseline: { label: 'memory stores', fn: baseline.signIn },
            subject: { label: rig.title, fn: u.signIn },
            note: 'the ratio is the store cost on top of the in-process service',
          });
        } finally {
          await opened.close();
        }
      }
    } finally {
      await memory.close();
    }
  },
};
