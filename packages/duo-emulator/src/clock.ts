/** Time source of the emulator. Tests inject a controllable clock; faults add a skew on top. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
