import { DuoEmulatorError } from '../errors.js';
import { duoId } from './random.js';
import { checkScripted, type PromptAction, type PushAnswer } from './scripted-answers.js';

export type UserStatus = 'active' | 'bypass' | 'disabled' | 'locked_out';
export type Capability = 'auto' | 'push' | 'sms' | 'phone' | 'mobile_otp';

export type { PromptAction, PushAnswer } from './scripted-answers.js';
export { PROMPT_ACTIONS, PUSH_ANSWERS } from './scripted-answers.js';

export interface Device {
  device: string;
  type: 'phone' | 'token';
  name: string;
  number: string;
  display_name: string;
  capabilities: Capability[];
}

export interface DeviceInput {
  name?: string;
  /** Phone number, shown masked (XXX-XXX-1234) like Duo does. */
  number?: string;
  /** Duo Mobile installed: push and mobile_otp. Default true. */
  push?: boolean;
  sms?: boolean;
  phone?: boolean;
}

export interface EmulatorUser {
  userId: string;
  username: string;
  aliases: string[];
  status: UserStatus;
  email: string;
  devices: Device[];
  /** Single-use passcodes the user can type (bypass codes, token codes). */
  passcodes: string[];
  /** Passcodes sent by the last `factor=sms` request, in batch order. */
  smsPasscodes: string[];
  /** The device that received the last SMS batch (preauth shows its `sms_nextcode`). */
  smsDevice?: string;
  failedAttempts: number;
  pushAnswer?: PushAnswer;
  promptAction?: PromptAction;
}

export interface UserInput {
  username: string;
  aliases?: string[];
  status?: UserStatus;
  email?: string;
  /** No devices (and no passcodes) means the user is not enrolled. */
  devices?: DeviceInput[];
  passcodes?: string[];
  pushAnswer?: PushAnswer;
  promptAction?: PromptAction;
}

export interface ResolvedUser {
  user: EmulatorUser;
  /** The name as the client sent it. */
  sentName: string;
  matchedBy: 'username' | 'alias';
}

function maskNumber(number: string): string {
  const tail = number.replace(/\D/g, '').slice(-4);
  return tail ? `XXX-XXX-${tail}` : '';
}

function toDevice(input: DeviceInput): Device {
  const capabilities: Capability[] = ['auto'];
  if (input.push ?? true) capabilities.push('push');
  if (input.sms) capabilities.push('sms');
  if (input.phone) capabilities.push('phone');
  if (input.push ?? true) capabilities.push('mobile_otp');
  const number = input.number ? maskNumber(input.number) : '';
  const name = input.name ?? '';
  return {
    device: duoId('DP'),
    type: 'phone',
    name,
    number,
    display_name: number ? `${name || 'Phone'} (${number})` : name || 'Duo Mobile',
    capabilities,
  };
}

const key = (name: string): string => name.toLowerCase();

function hasControlChars(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * The user directory. Usernames and aliases match case-insensitively (Duo's default username
 * normalisation); what the client sent is kept so that `preferred_username` can echo it.
 */
export class UserDirectory {
  private readonly users = new Map<string, EmulatorUser>();
  private readonly trash = new Map<string, EmulatorUser>();
  /** Free plan: at most this many users (undefined = unlimited). */
  maxUsers: number | undefined;
  /** Failed authentications after which a user is locked out (Duo's default is 10). */
  lockoutThreshold: number;

  constructor(options: { maxUsers?: number; lockoutThreshold?: number } = {}) {
    this.maxUsers = options.maxUsers;
    this.lockoutThreshold = options.lockoutThreshold ?? 10;
  }

  get count(): number {
    return this.users.size;
  }

  /** True when one more user would exceed the Free-plan limit. */
  get atLimit(): boolean {
    return this.maxUsers !== undefined && this.users.size >= this.maxUsers;
  }

  create(input: UserInput): EmulatorUser {
    if (!input.username || /^\s|\s$/.test(input.username) || hasControlChars(input.username)) {
      throw new DuoEmulatorError(
        'OPTIONS_INVALID',
        'A username must be non-empty, without surrounding whitespace or control characters.',
      );
    }
    checkScripted(input);
    this.assertFree([input.username, ...(input.aliases ?? [])]);
    if (this.atLimit) {
      throw new DuoEmulatorError(
        'USER_LIMIT_REACHED',
        `This Duo account is limited to ${this.maxUsers} users (Free plan); delete a user first.`,
      );
    }
    const user: EmulatorUser = {
      userId: duoId('DU'),
      username: input.username,
      aliases: [...(input.aliases ?? [])],
      status: input.status ?? 'active',
      email: input.email ?? '',
      devices: (input.devices ?? []).map(toDevice),
      passcodes: [...(input.passcodes ?? [])],
      smsPasscodes: [],
      failedAttempts: 0,
      ...(input.pushAnswer ? { pushAnswer: input.pushAnswer } : {}),
      ...(input.promptAction ? { promptAction: input.promptAction } : {}),
    };
    this.users.set(user.userId, user);
    return user;
  }

  resolve(name: string): ResolvedUser | undefined {
    const k = key(name);
    for (const user of this.users.values()) {
      if (key(user.username) === k) return { user, sentName: name, matchedBy: 'username' };
    }
    for (const user of this.users.values()) {
      if (user.aliases.some((a) => key(a) === k))
        return { user, sentName: name, matchedBy: 'alias' };
    }
    return undefined;
  }

  byId(userId: string): EmulatorUser | undefined {
    return this.users.get(userId);
  }

  /** Looks a user up by username or alias, throwing when absent. */
  require(name: string): EmulatorUser {
    const found = this.resolve(name);
    if (!found) throw new DuoEmulatorError('USER_NOT_FOUND', 'No such user.');
    return found.user;
  }

  list(): EmulatorUser[] {
    return [...this.users.values()];
  }

  isEnrolled(user: EmulatorUser): boolean {
    return user.devices.length > 0 || user.passcodes.length > 0;
  }

  update(name: string, patch: Partial<Omit<UserInput, 'username'>>): EmulatorUser {
    const user = this.require(name);
    checkScripted(patch);
    if (patch.aliases) {
      this.assertFree(patch.aliases, user);
      user.aliases = [...patch.aliases];
    }
    if (patch.status) {
      user.status = patch.status;
      if (patch.status === 'active') user.failedAttempts = 0;
    }
    if (patch.email !== undefined) user.email = patch.email;
    if (patch.devices) user.devices = patch.devices.map(toDevice);
    if (patch.passcodes) user.passcodes = [...patch.passcodes];
    if ('pushAnswer' in patch) {
      if (patch.pushAnswer) user.pushAnswer = patch.pushAnswer;
      else delete user.pushAnswer;
    }
    if ('promptAction' in patch) {
      if (patch.promptAction) user.promptAction = patch.promptAction;
      else delete user.promptAction;
    }
    return user;
  }

  addDevice(name: string, device: DeviceInput): Device {
    const user = this.require(name);
    const d = toDevice(device);
    user.devices.push(d);
    return d;
  }

  /**
   * Moves a user to the trash (Duo keeps deleted users restorable for a while). The user's
   * names become unknown, so the next login asks to enroll: this is how an admin lets a user who
   * lost a device start again.
   */
  delete(name: string): EmulatorUser {
    const user = this.require(name);
    this.users.delete(user.userId);
    this.trash.set(user.userId, user);
    return user;
  }

  /** Restores a deleted user with its devices, by username or user id. */
  restore(nameOrId: string): EmulatorUser {
    const k = key(nameOrId);
    const user = [...this.trash.values()].find(
      (u) => u.userId === nameOrId || key(u.username) === k,
    );
    if (!user) throw new DuoEmulatorError('USER_NOT_FOUND', 'No deleted user with this name.');
    this.assertFree([user.username, ...user.aliases]);
    if (this.atLimit) {
      throw new DuoEmulatorError(
        'USER_LIMIT_REACHED',
        `This Duo account is limited to ${this.maxUsers} users (Free plan); delete a user first.`,
      );
    }
    this.trash.delete(user.userId);
    this.users.set(user.userId, user);
    return user;
  }

  deleted(): EmulatorUser[] {
    return [...this.trash.values()];
  }

  /** Records a failed authentication; locks the user out at the threshold. */
  recordFailure(user: EmulatorUser): void {
    user.failedAttempts += 1;
    if (user.failedAttempts >= this.lockoutThreshold && user.status === 'active') {
      user.status = 'locked_out';
    }
  }

  recordSuccess(user: EmulatorUser): void {
    user.failedAttempts = 0;
  }

  private assertFree(names: string[], self?: EmulatorUser): void {
    for (const n of names) {
      const found = this.resolve(n);
      if (found && found.user !== self) {
        throw new DuoEmulatorError(
          'ALIAS_TAKEN',
          'This username or alias already belongs to a user.',
        );
      }
    }
  }
}
