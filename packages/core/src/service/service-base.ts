import type { RequestInfo, TwoFactorUser } from '../provider/contract.js';
import type { Kernel } from './kernel/kernel.js';

/** What every call of the service shares: the kernel, and the scope a call runs in. */
export abstract class ServiceBase {
  protected constructor(protected readonly k: Kernel) {}

  /** Checks the user, then runs the flow with the request info in scope for audit and hooks. */
  protected async run<T>(
    user: TwoFactorUser,
    request: RequestInfo | undefined,
    flow: () => Promise<T>,
  ): Promise<T> {
    this.k.checkUser(user);
    return this.k.audit.within(request, flow);
  }
}
