// Node CPU per sign-in on PostgreSQL + Redis (issue 17's goal: <= 0.5 ms): process.cpuUsage()
// (user + system) around N whole sign-ins (begin + complete with the right code), against the
// CPU of as many plain `SELECT 1` round trips on the same pg pool as those sign-ins made to
// PostgreSQL and Redis together, measured in the same run: the ratio is what a sign-in costs in
// Node beyond the bare driver round trips it needs.
import { RIGS, RigUnavailable } from '../lib/store-rigs.mjs';
import { countSteps, enrolledUser } from '../lib/sign-in.mjs';

/** CPU ms per call of `fn` over `n` calls, and the share of it spent in the kernel (system). */
async function cpuPer(n, fn) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const d = process.cpuUsage(start);
  return { ms: (d.user + d.system) / 1000 / n, system: d.system / (d.user + d.system) };
}

export default {
  id: 'store-cpu',
  async run(b) {
    const rig = RIGS.find((r) => r.id === 'postgres-redis');
    let s;
    try {
      s = await rig.open();
    } catch (err) {
      if (!(err instanceof RigUnavailable)) throw err;
      b.skip({
        id: 'store-cpu.postgres-redis',
        title: 'CPU per sign-in, PostgreSQL + Redis',
        reason: err.message,
      });
      return;
    }
    try {
      const u = await enrolledUser(s.stores);
      const steps = await countSteps(u, s.counter);
      const trips = steps.begin.roundTrips + steps.right.roundTrips;
      const n = b.quick ? 200 : 2000;
      const rounds = b.quick ? 3 : 7;
      for (let i = 0; i < 50; i++) await u.signIn(); // warm-up
      const select1 = () => s.pool.query('select 1');
      const per = [];
      const base = [];
      for (let r = 0; r < rounds; r++) {
        per.push(await cpuPer(n, u.signIn));
        base.push(
          await cpuPer(n, async () => {
            for (let t = 0; t < trips; t++) await select1();
          }),
        );
      }
      const median = (xs) => [...xs].sort((x, y) => x.ms - y.ms)[Math.floor((xs.length - 1) / 2)];
      const subject = median(per);
      const baseline = median(base);
      b.record({
        id: 'store-cpu.postgres-redis',
        title: 'Node CPU per sign-in (begin + complete right), PostgreSQL + Redis',
        value: Number(subject.ms.toFixed(3)),
        unit: 'ms CPU',
        baselineValue: Number(baseline.ms.toFixed(3)),
        baseline: `${trips} x SELECT 1 on the same pool`,
        goal: { max: 0.5, unit: ' ms' },
        note:
          `median of ${rounds} rounds of ${n}; ${trips} round trips per sign-in; ` +
          `${Math.round(subject.system * 100)}% of it system time (socket writes)`,
      });
    } finally {
      await s.close();
    }
  },
};
