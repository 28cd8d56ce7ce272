/** Calls received per endpoint and per user (for push-rate caps and "no call when locked" tests). */
export class CallCounters {
  private readonly calls = new Map<string, number>();

  record(endpoint: string, user?: string): void {
    this.bump(`${endpoint}\u0000`);
    if (user !== undefined) this.bump(`${endpoint}\u0000${user.toLowerCase()}`);
  }

  /** Calls to `endpoint` (a path such as '/auth/v2/auth'), optionally only for one user. */
  count(endpoint: string, user?: string): number {
    return this.calls.get(`${endpoint}\u0000${user?.toLowerCase() ?? ''}`) ?? 0;
  }

  snapshot(): Array<{ endpoint: string; user: string | null; count: number }> {
    return [...this.calls.entries()].map(([k, count]) => {
      const [endpoint, user] = k.split('\u0000');
      return { endpoint: endpoint!, user: user ? user : null, count };
    });
  }

  reset(): void {
    this.calls.clear();
  }

  private bump(k: string): void {
    this.calls.set(k, (this.calls.get(k) ?? 0) + 1);
  }
}
