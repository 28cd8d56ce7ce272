import {
  TIMELINE_PURGE_BATCH,
  assertTimelineKeep,
  assertTimelinePurge,
  assertTimelineQuery,
  newerFirst,
  type SecurityEventPage,
  type SecurityEventQuery,
  type SecurityEventRecord,
  type SecurityTimelineStore,
} from './timeline-types.js';

const copy = (e: SecurityEventRecord): SecurityEventRecord => ({ ...e, detail: { ...e.detail } });

/**
 * In-memory security timeline: one newest-first list per user. Each method runs without
 * awaiting, so an append and its trim are one step on Node's single thread.
 */
export class MemoryTimeline implements SecurityTimelineStore {
  private readonly byUser = new Map<string, SecurityEventRecord[]>();

  async appendSecurityEvent(entry: SecurityEventRecord, keepPerUser: number): Promise<void> {
    assertTimelineKeep(keepPerUser);
    const list = this.byUser.get(entry.userId) ?? [];
    if (list.some((e) => e.id === entry.id)) throw new Error('security event id collision');
    list.push(copy(entry));
    list.sort(newerFirst);
    list.length = Math.min(list.length, keepPerUser);
    this.byUser.set(entry.userId, list);
  }

  async listSecurityEvents(userId: string, query: SecurityEventQuery): Promise<SecurityEventPage> {
    assertTimelineQuery(query);
    const { before, limit } = query;
    const list = this.byUser.get(userId) ?? [];
    const older = before ? list.filter((e) => newerFirst(before, e) < 0) : list;
    // One more than asked tells whether a next page exists.
    const page = older.slice(0, limit + 1);
    const events = page.slice(0, limit).map(copy);
    const last = events[events.length - 1];
    return { events, next: page.length > limit && last ? { at: last.at, id: last.id } : null };
  }

  async purgeSecurityEvents(olderThan: number): Promise<number> {
    assertTimelinePurge(olderThan);
    let purged = 0;
    for (const [userId, list] of this.byUser) {
      const budget = TIMELINE_PURGE_BATCH - purged;
      if (budget <= 0) break;
      // Oldest are at the end.
      let cut = list.length;
      while (cut > 0 && list.length - cut < budget && list[cut - 1]!.at < olderThan) cut--;
      purged += list.length - cut;
      list.length = cut;
      if (cut === 0) this.byUser.delete(userId);
    }
    return purged;
  }
}
