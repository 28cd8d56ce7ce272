/**
 * The portal's clock: the system clock, moved forward by the number of milliseconds in
 * PORTAL_CLOCK_OFFSET_FILE when that setting is given. Only the browser tests of grace periods
 * use it (they cannot wait 14 days); nothing in the portal can write the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { Clock } from '@factorkit/core';

export class OffsetClock extends Clock {
  private cachedAt = -1;
  private offset = 0;

  constructor(private readonly file: string | undefined) {
    super();
  }

  now(): number {
    return Date.now() + this.currentOffset();
  }

  private currentOffset(): number {
    if (this.file === undefined) return 0;
    let mtime: number;
    try {
      mtime = statSync(this.file).mtimeMs;
    } catch {
      return 0;
    }
    if (mtime !== this.cachedAt) {
      const n = Number(readFileSync(this.file, 'utf8').trim());
      this.offset = Number.isSafeInteger(n) ? n : 0;
      this.cachedAt = mtime;
    }
    return this.offset;
  }
}
