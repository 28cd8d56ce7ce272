import { Clock } from '../services.js';

/** A clock that moves only when told to: tests never sleep to wait for time. */
export class FakeClock extends Clock {
  private ms: number;
  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    super();
    this.ms = typeof start === 'number' ? start : start.getTime();
  }
  now(): number {
    return this.ms;
  }
  set(ms: number | Date): void {
    this.ms = typeof ms === 'number' ? ms : ms.getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
