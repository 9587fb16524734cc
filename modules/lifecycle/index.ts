/**
 * Lifecycle profiles: what a destroy of an environment may take with it. One table, read by
 * every module that builds a stateful resource and by the guardrails (rules DST1-DST8 check the
 * `ephemeral` column, their mirrors PRS1-PRS8 the `persistent` one), so the two cannot drift.
 *
 * - `ephemeral`: everything is destroyable in one `npm run destroy` (pull-request and test
 *   environments, the briefs' test deployments).
 * - `persistent`: the database and the load balancer have deletion protection, the database
 *   leaves a final snapshot, deleted secrets keep a recovery window, repositories keep their
 *   images, KMS keys keep the longest deletion window, log buckets keep their objects, and the
 *   stateful resources carry `prevent_destroy`, so no plan (a destroy, or a change that would
 *   replace them) can delete them.
 *
 * - `retiring`: the way out of `persistent` (set it, deploy, destroy). It differs from
 *   `persistent` only in what blocks the destroy: deletion protection and `prevent_destroy` are
 *   off, so the destroy runs, but the database still leaves a final snapshot (named with the
 *   plan's timestamp, so a second retirement of the same name cannot collide) and keeps its
 *   automated backups, repositories keep their images (`npm run destroy` leaves the registry
 *   stack for later), secrets and keys keep their windows. Only the ALB access-log bucket is
 *   emptied (docs/decisions.md, "Retiring profile").
 *
 * Switching an environment between the profiles is an in-place update: every attribute below is
 * updatable without replacement (deletion protection, the final-snapshot pair, the recovery window
 * and `force_delete`/`force_destroy` only change what a later delete does), and `prevent_destroy`
 * is a Terraform meta-argument, not part of any resource (docs/decisions.md).
 */
export const LIFECYCLE_PROFILES = ["ephemeral", "persistent", "retiring"] as const;
export type LifecycleProfile = (typeof LIFECYCLE_PROFILES)[number];

export interface LifecyclePolicy {
  readonly profile: LifecycleProfile;
  /** `deletion_protection` of the Aurora cluster, `enable_deletion_protection` of the ALB. */
  readonly deletionProtection: boolean;
  /** `skip_final_snapshot` of the Aurora cluster (false: a `final_snapshot_identifier` is set). */
  readonly skipFinalSnapshot: boolean;
  /**
   * `delete_automated_backups` of the Aurora cluster: whether deleting the cluster also deletes
   * its automated backups (the provider's default is true).
   */
  readonly deleteAutomatedBackups: boolean;
  /**
   * Whether the final snapshot identifier carries the plan's timestamp: unique per apply, so a
   * second retirement of an environment of the same name does not collide with the first
   * snapshot (RDS refuses an existing identifier).
   */
  readonly timestampedFinalSnapshot: boolean;
  /** `recovery_window_in_days` of created secrets: 0 (deleted at once) or the 30-day default. */
  readonly secretRecoveryWindowDays: number;
  /** `force_delete` of ECR repositories (false: a repository holding images is never deleted). */
  readonly forceDeleteImages: boolean;
  /** `force_destroy` of S3 buckets the platform writes to (ALB access logs). */
  readonly forceDestroyBuckets: boolean;
  /** `deletion_window_in_days` of KMS keys: 7 (the AWS minimum) or 30 (the maximum). */
  readonly kmsDeletionWindowDays: number;
  /** `lifecycle.prevent_destroy` on the stateful resources (database, repositories, keys, secrets). */
  readonly preventDestroy: boolean;
}

/** KMS accepts a deletion window of 7 to 30 days (ScheduleKeyDeletion PendingWindowInDays). */
export const KMS_MIN_DELETION_WINDOW_DAYS = 7;
export const KMS_MAX_DELETION_WINDOW_DAYS = 30;
/** Secrets Manager's default recovery window (DeleteSecret RecoveryWindowInDays: 7-30, default 30). */
export const SECRET_DEFAULT_RECOVERY_DAYS = 30;

const POLICIES: { readonly [P in LifecycleProfile]: LifecyclePolicy } = {
  ephemeral: {
    profile: "ephemeral",
    deletionProtection: false,
    skipFinalSnapshot: true,
    deleteAutomatedBackups: true,
    timestampedFinalSnapshot: false,
    secretRecoveryWindowDays: 0,
    forceDeleteImages: true,
    forceDestroyBuckets: true,
    kmsDeletionWindowDays: KMS_MIN_DELETION_WINDOW_DAYS,
    preventDestroy: false,
  },
  persistent: {
    profile: "persistent",
    deletionProtection: true,
    skipFinalSnapshot: false,
    deleteAutomatedBackups: false,
    timestampedFinalSnapshot: false,
    secretRecoveryWindowDays: SECRET_DEFAULT_RECOVERY_DAYS,
    forceDeleteImages: false,
    forceDestroyBuckets: false,
    kmsDeletionWindowDays: KMS_MAX_DELETION_WINDOW_DAYS,
    preventDestroy: true,
  },
  retiring: {
    profile: "retiring",
    deletionProtection: false,
    skipFinalSnapshot: false,
    deleteAutomatedBackups: false,
    timestampedFinalSnapshot: true,
    secretRecoveryWindowDays: SECRET_DEFAULT_RECOVERY_DAYS,
    forceDeleteImages: false,
    // ALB access logs only: a non-empty bucket would stop the platform destroy half-way.
    forceDestroyBuckets: true,
    kmsDeletionWindowDays: KMS_MAX_DELETION_WINDOW_DAYS,
    preventDestroy: false,
  },
};

/** The policy of a profile; modules default to `ephemeral` (today's behaviour). */
export function lifecyclePolicy(profile: LifecycleProfile = "ephemeral"): LifecyclePolicy {
  return POLICIES[profile];
}

/** The `lifecycle` block of a stateful resource, merged with the resource's own settings. */
export function statefulLifecycle<T extends object>(
  policy: LifecyclePolicy,
  own?: T,
): (T & { preventDestroy?: boolean }) | undefined {
  if (!policy.preventDestroy) return own;
  return { ...(own ?? ({} as T)), preventDestroy: true };
}
