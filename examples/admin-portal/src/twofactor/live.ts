/**
 * The running 2FA setup, rebuilt when an admin saves a new deployment config: the document is
 * checked with core's own loader first (an invalid one is refused and the running setup kept),
 * then stored with a version number that every process of the deployment polls, so a change
 * made on one takes effect on all without a restart. Stores, keys and second-step states are
 * shared by every build: a sign-in begun before a change still completes after it.
 */
import {
  ConfigValidationError,
  TwoFactorService,
  loadDeploymentConfig,
  type AuditSink,
  type ConfigIssue,
  type DeploymentConfig,
  type FactorkitStores,
  type ProviderRegistry,
} from '@factorkit/core';
import {
  SecondStep,
  createTwoFactorHandler,
  type SecondStepStore,
  type TwoFactorHandler,
} from '@factorkit/web';
import type { ExpressContext } from '@factorkit/web/express';
import type { Kysely } from 'kysely';
import type { PortalTables } from '../db/tables.js';
import { effectiveDocument, type RawConfig } from './deployment.js';
import type { DemoServices } from './emulators.js';
import type { KeyRingInput } from './encryption-keys.js';
import { DocumentSeal } from './sealed-document.js';
import type { PageOptions } from '@factorkit/web';

const NAME = 'deployment';
/** How often a process looks for a change made by another one. */
const POLL_MS = 1000;

export interface TwoFactorBuild {
  readonly version: number;
  readonly document: RawConfig;
  readonly config: DeploymentConfig;
  readonly service: TwoFactorService;
  readonly secondStep: SecondStep;
  readonly handler: TwoFactorHandler<ExpressContext>;
}

export interface LiveOptions {
  db: Kysely<PortalTables>;
  registry: ProviderRegistry;
  stores: FactorkitStores;
  secondStepStore: SecondStepStore;
  audit: AuditSink;
  demo: DemoServices | undefined;
  encryption: KeyRingInput;
  prefix: string;
  /** The second-step pages' options for a document (its layout says when stand-ins are used). */
  pages: (document: RawConfig) => PageOptions;
  now: () => number;
  trustedProxies: readonly string[];
  onError: (error: unknown, requestId: string) => void;
}

export type ApplyResult =
  { ok: true; version: number } | { ok: false; issues: readonly ConfigIssue[] };

export class LiveTwoFactor {
  private build: TwoFactorBuild | undefined;
  private checkedAt = 0;
  private refreshing: Promise<void> | undefined;

  private readonly seal: DocumentSeal;
  /** The last stored version this process could not use, so it is reported once, not every second. */
  private refusedVersion: number | undefined;

  constructor(private readonly o: LiveOptions) {
    this.seal = new DocumentSeal(o.encryption);
  }

  /** Loads the stored document (storing `initial` on a first start) and builds the service. */
  async start(initial: RawConfig): Promise<void> {
    const now = this.o.now();
    await this.o.db
      .insertInto('portal_settings')
      .values({
        name: NAME,
        value: this.seal.seal(initial),
        version: 1,
        updated_at: now,
        updated_by: 'first start',
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    await this.reload();
  }

  /** The current build; looks for another process's change at most once a second. */
  async current(): Promise<TwoFactorBuild> {
    if (this.o.now() - this.checkedAt >= POLL_MS) {
      this.refreshing ??= this.reload().finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    return this.build!;
  }

  /** Checks `document` as the loader would at start; only a valid one is stored and used. */
  check(
    document: RawConfig,
  ): { ok: true; config: DeploymentConfig } | { ok: false; issues: readonly ConfigIssue[] } {
    try {
      return { ok: true, config: this.load(document) };
    } catch (err) {
      if (err instanceof ConfigValidationError) return { ok: false, issues: err.issues };
      throw err;
    }
  }

  /**
   * Stores `document` when it is valid and the stored settings are still at `base`, the version
   * the admin's form was drawn from: a form older than another admin's save is refused.
   */
  async apply(document: RawConfig, actor: string, base: number): Promise<ApplyResult> {
    // What is checked is exactly what is stored and what every process will read back.
    const stored = JSON.parse(JSON.stringify(document)) as RawConfig;
    const checked = this.check(stored);
    if (!checked.ok) return checked;
    // Compare-and-set on the version: of two admins saving at once, the second is told to reload.
    const r = await this.o.db
      .updateTable('portal_settings')
      .set({
        value: this.seal.seal(stored),
        version: base + 1,
        updated_at: this.o.now(),
        updated_by: actor,
      })
      .where('name', '=', NAME)
      .where('version', '=', base)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1)
      return {
        ok: false,
        issues: [
          {
            path: '(root)',
            message: 'another administrator changed the settings meanwhile: reload the page',
          },
        ],
      };
    await this.reload();
    return { ok: true, version: base + 1 };
  }

  private load(document: RawConfig): DeploymentConfig {
    const effective = effectiveDocument(document, this.o.demo, this.o.encryption);
    return loadDeploymentConfig(effective, this.o.registry);
  }

  private async reload(): Promise<void> {
    this.checkedAt = this.o.now();
    const row = await this.o.db
      .selectFrom('portal_settings')
      .select(['value', 'version'])
      .where('name', '=', NAME)
      .executeTakeFirstOrThrow();
    if (this.build?.version === row.version || this.refusedVersion === row.version) return;
    const document = this.seal.open(row.value);
    let config: DeploymentConfig;
    try {
      config = this.load(document);
    } catch (err) {
      // A document stored around `apply` (by hand, or by another build of the portal) that does
      // not load: keep serving the running setup instead of failing every request, and say why
      // once. At first start there is nothing to keep, and the start fails with the reason.
      if (this.build === undefined || !(err instanceof ConfigValidationError)) throw err;
      this.refusedVersion = row.version;
      this.o.onError(
        err,
        `deployment config version ${row.version} (kept version ${this.build.version})`,
      );
      return;
    }
    const service = new TwoFactorService({
      registry: this.o.registry,
      config,
      stores: this.o.stores,
      audit: this.o.audit,
    });
    const secondStep = new SecondStep({ service, store: this.o.secondStepStore, now: this.o.now });
    const handler = createTwoFactorHandler<ExpressContext>({
      secondStep,
      prefix: this.o.prefix,
      pages: this.o.pages(document),
      // The package's default (60 a minute per address) is for the 2FA routes alone; the pages
      // and their assets go through the same routes, so a person clicking through uses more.
      ipRateLimit: { points: 300, durationSeconds: 60 },
      trustedProxies: this.o.trustedProxies,
      onError: this.o.onError,
    });
    this.build = { version: row.version, document, config, service, secondStep, handler };
  }
}
