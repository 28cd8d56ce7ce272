import { randomFillSync } from 'node:crypto';

/** Bytes drawn from the CSPRNG in one call; requests above a quarter of it bypass the pool. */
const POOL_BYTES = 4096;
const LARGEST_POOLED = POOL_BYTES / 4;

/**
 * CSPRNG bytes handed out from a pool filled in one `randomFillSync` call. A sign-in draws a
 * 256-bit id and one 96-bit IV per seal; each `randomBytes` call of that size cost more than the
 * AES-GCM work itself (a native call and a fresh buffer every time). Every byte is handed out
 * once and only once, as a copy, and the pool is refilled from the CSPRNG when it runs short,
 * so what a caller gets is exactly as unpredictable as a direct `randomBytes` call (Node's own
 * `randomUUID` pools the same way). Used bytes are zeroed, so the pool never holds what it
 * handed out.
 */
export class RandomPool {
  private readonly pool = Buffer.allocUnsafeSlow(POOL_BYTES);
  private offset = POOL_BYTES;

  take(length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (length > LARGEST_POOLED) return randomFillSync(out);
    if (this.offset + length > POOL_BYTES) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const end = this.offset + length;
    out.set(this.pool.subarray(this.offset, end));
    this.pool.fill(0, this.offset, end);
    this.offset = end;
    return out;
  }
}
