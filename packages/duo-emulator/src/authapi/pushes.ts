import { DuoEmulatorError } from '../errors.js';
import { txid as newTxid } from '../state/random.js';
import type { EmulatorUser, PushAnswer, UserDirectory } from '../state/users.js';

export interface AuthStatus {
  result: 'waiting' | 'allow' | 'deny';
  status: string;
  status_msg: string;
}

export interface PushTransaction {
  txid: string;
  user: EmulatorUser;
  /** The name the client sent. */
  username: string;
  factor: 'push' | 'phone';
  deviceName: string;
  current: AuthStatus;
  /** Increases at each status change; `auth_status` long-polls for the next one. */
  seq: number;
  reportedSeq: number;
  createdAtMs: number;
  /** Verified Duo Push: the code the user must type in Duo Mobile (shown by the client). */
  verificationCode?: string;
}

export type PushDecision = Exclude<PushAnswer, 'manual'>;

function finalStatus(factor: 'push' | 'phone', answer: PushDecision): AuthStatus {
  switch (answer) {
    case 'approve':
      return { result: 'allow', status: 'allow', status_msg: 'Success. Logging you in...' };
    case 'deny':
      return { result: 'deny', status: 'deny', status_msg: 'Login request denied.' };
    case 'fraud':
      return {
        result: 'deny',
        status: 'fraud',
        status_msg: 'Login request reported as fraudulent.',
      };
    case 'timeout':
      return factor === 'phone'
        ? { result: 'deny', status: 'deny', status_msg: 'No keypress detected. Please try again.' }
        : { result: 'deny', status: 'timeout', status_msg: 'Login timed out.' };
  }
}

/** Pending pushes and phone calls, answered by a script, an admin call or the emulator page. */
export class PushCenter {
  private readonly txs = new Map<string, PushTransaction>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly users: UserDirectory,
    private readonly nowMs: () => number,
    private readonly timeoutMs: () => number,
  ) {}

  start(
    user: EmulatorUser,
    username: string,
    factor: 'push' | 'phone',
    deviceName: string,
    answer: PushAnswer,
    verified?: { txid: string; verificationCode: string },
  ): PushTransaction {
    const tx: PushTransaction = {
      txid: verified?.txid ?? newTxid(),
      ...(verified ? { verificationCode: verified.verificationCode } : {}),
      user,
      username,
      factor,
      deviceName,
      current:
        factor === 'push'
          ? {
              result: 'waiting',
              status: 'pushed',
              status_msg: 'Pushed a login request to your device...',
            }
          : { result: 'waiting', status: 'calling', status_msg: 'Calling your phone...' },
      seq: 0,
      reportedSeq: -1,
      createdAtMs: this.nowMs(),
    };
    this.txs.set(tx.txid, tx);
    if (answer === 'manual') {
      this.later(this.timeoutMs(), () => {
        if (tx.current.result === 'waiting') this.settle(tx, 'timeout');
      });
    } else {
      this.settle(tx, answer);
    }
    return tx;
  }

  /** A transaction that is already final (async passcode, sms or status answers). */
  record(user: EmulatorUser, username: string, status: AuthStatus): PushTransaction {
    const tx: PushTransaction = {
      txid: newTxid(),
      user,
      username,
      factor: 'push',
      deviceName: '',
      current: status,
      seq: 1,
      reportedSeq: 0,
      createdAtMs: this.nowMs(),
    };
    this.txs.set(tx.txid, tx);
    return tx;
  }

  get(txid: string): PushTransaction | undefined {
    return this.txs.get(txid);
  }

  pending(): PushTransaction[] {
    return [...this.txs.values()].filter((t) => t.current.result === 'waiting');
  }

  /** Answers a waiting push (admin API or the emulator's push page). */
  answer(txid: string, decision: PushDecision): PushTransaction {
    const tx = this.txs.get(txid);
    if (!tx || tx.current.result !== 'waiting') {
      throw new DuoEmulatorError('PUSH_NOT_FOUND', 'No waiting push with this txid.');
    }
    this.settle(tx, decision);
    return tx;
  }

  /** Resolves when the transaction is no longer waiting, or after `maxMs`. */
  async waitForFinal(tx: PushTransaction, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (tx.current.result === 'waiting' && Date.now() < deadline) {
      await this.waitForChange(tx, tx.seq, deadline - Date.now());
    }
  }

  /** Resolves at the next status change after `seenSeq`, or after `maxMs`. */
  async waitForChange(tx: PushTransaction, seenSeq: number, maxMs: number): Promise<void> {
    if (tx.seq > seenSeq || maxMs <= 0) return;
    await new Promise<void>((resolve) => {
      const set = this.waiters.get(tx.txid) ?? new Set<() => void>();
      this.waiters.set(tx.txid, set);
      const done = (): void => {
        set.delete(done);
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.timers.add(timer);
      set.add(done);
    });
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const set of this.waiters.values()) for (const w of [...set]) w();
  }

  private settle(tx: PushTransaction, decision: PushDecision): void {
    tx.current = finalStatus(tx.factor, decision);
    tx.seq += 1;
    if (decision === 'approve') this.users.recordSuccess(tx.user);
    else this.users.recordFailure(tx.user);
    for (const w of [...(this.waiters.get(tx.txid) ?? [])]) w();
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}
