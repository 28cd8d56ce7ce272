import assert from 'node:assert/strict';
import { NOW, enrollment, storeCase, type StoreCase } from './fixtures.js';

const DAY = 86_400_000;

/** Enrollment grace deadlines: stored once per user, agreed on by racers, never reset. */
export function graceChecks(): StoreCase[] {
  return [
    storeCase('grace: the first call stores now + graceMs; later calls return it', async (s) => {
      assert.equal(await s.enrollments.peekGraceDeadline('u1'), null);
      assert.deepEqual(await s.enrollments.graceDeadline('u1', NOW, 14 * DAY), {
        deadline: NOW + 14 * DAY,
        started: true,
      });
      // A later call, with another clock and period, must not move the stored deadline.
      assert.deepEqual(await s.enrollments.graceDeadline('u1', NOW + DAY, 90 * DAY), {
        deadline: NOW + 14 * DAY,
        started: false,
      });
      assert.equal(await s.enrollments.peekGraceDeadline('u1'), NOW + 14 * DAY);
    }),
    storeCase(
      'grace: 20 concurrent first calls agree on one deadline and exactly one started it',
      async (s) => {
        const got = await Promise.all(
          Array.from({ length: 20 }, (_, i) => s.enrollments.graceDeadline('u1', NOW + i, DAY)),
        );
        assert.equal(new Set(got.map((g) => g.deadline)).size, 1);
        assert.equal(got.filter((g) => g.started).length, 1);
        assert.equal(await s.enrollments.peekGraceDeadline('u1'), got[0]!.deadline);
      },
    ),
    storeCase('grace: deadlines are per user', async (s) => {
      await s.enrollments.graceDeadline('u1', NOW, DAY);
      assert.equal(await s.enrollments.peekGraceDeadline('u2'), null);
      assert.deepEqual(await s.enrollments.graceDeadline('u2', NOW + 5, 2 * DAY), {
        deadline: NOW + 5 + 2 * DAY,
        started: true,
      });
      assert.equal(await s.enrollments.peekGraceDeadline('u1'), NOW + DAY);
    }),
    storeCase('grace: peekGraceDeadline never stores one', async (s) => {
      await Promise.all(Array.from({ length: 5 }, () => s.enrollments.peekGraceDeadline('u1')));
      assert.equal((await s.enrollments.graceDeadline('u1', NOW, DAY)).started, true);
    }),
    storeCase('grace: a removal or a reset keeps the deadline (EN-06)', async (s) => {
      await s.enrollments.graceDeadline('u1', NOW, DAY);
      const e = enrollment();
      await s.enrollments.activate({ enrollment: e });
      await s.enrollments.remove('u1', e.id);
      assert.equal(await s.enrollments.peekGraceDeadline('u1'), NOW + DAY);
      await s.enrollments.activate({ enrollment: enrollment() });
      await s.enrollments.removeAllForUser('u1');
      assert.deepEqual(await s.enrollments.graceDeadline('u1', NOW + 2 * DAY, DAY), {
        deadline: NOW + DAY,
        started: false,
      });
    }),
  ];
}
