/**
 * The diff report: protection changes between the policies at two git refs. Its JSON form is a
 * stable contract (version 1, schema in test/fixtures/schemas/diff-report.schema.json); add fields,
 * never rename or remove them without bumping the version.
 */
import type { Tier } from '../dsl/retention.ts';

/** A JSON value. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * How a change should be read in review:
 * - `risk`: protection is reduced (a restore point, a namespace, a guarantee is lost) or existing
 *   backups may become unreachable;
 * - `review`: protection is not obviously reduced, but a person should confirm it (moved data,
 *   changed keys, changed restore procedure);
 * - `safe`: protection is added or improved.
 */
export type ChangeClass = 'safe' | 'review' | 'risk';

/** Every class, most serious first (the order of tables and summaries). */
export const CHANGE_CLASSES: readonly ChangeClass[] = ['risk', 'review', 'safe'];

/** What a change is about. */
export type Subject = 'cluster' | 'storage' | 'policy' | 'namespace' | 'restorePlan' | 'guardrails' | 'exemption' | 'preSyncBackup' | 'generated';

/** One protection change. */
export interface Change {
  readonly class: ChangeClass;
  /** Stable identifier of the kind of change, e.g. `policy.retention` (see README). */
  readonly kind: string;
  /** The cluster it concerns; null for what clusters share (storage, guardrails, exemptions for every cluster). */
  readonly cluster: string | null;
  readonly subject: Subject;
  /** Name of the declaration (or namespace) it concerns. */
  readonly name: string;
  /** Field inside the declaration, e.g. `retention.daily`; null for the whole declaration. */
  readonly field: string | null;
  /** The value at the base; null when absent. */
  readonly before: JsonValue;
  /** The value at the head; null when absent. */
  readonly after: JsonValue;
  /** One sentence for people. */
  readonly message: string;
  /** Policy file (relative to the repository root) and line of the declaration: the head's, or the base's when removed. */
  readonly file: string | null;
  readonly line: number | null;
}

/** The restore points of one policy on one side. */
export interface PolicyRestorePoints {
  readonly rpoSeconds: number;
  /**
   * The longest time between two restore points as Velero runs the Schedules: the union of every
   * tier's runs, from the schedule simulation (what the RPO really is); null when the policy never
   * backs up twice.
   */
  readonly longestGapSeconds: number | null;
  /** How far back the policy can restore: its longest TTL (0 when it keeps nothing). */
  readonly oldestSeconds: number;
  /** Per tier, in the order of the tiers. */
  readonly tiers: readonly TierRestorePoints[];
}

/** The restore points of one retention tier. */
export interface TierRestorePoints {
  readonly tier: Tier;
  /** The count asked for. */
  readonly keep: number;
  readonly ttlSeconds: number;
  /**
   * The restore points it holds at the fewest as Velero runs the Schedules (its own and the coarser
   * runs standing in for it); absent for a base tier that runs more often than its period, whose
   * count is a length of time.
   */
  readonly restorePoints?: number;
  /**
   * The restore points the tier holds, as compared between the sides: `restorePoints`, or for a
   * tier whose count is a length of time, the runs that length holds at its longest interval.
   */
  readonly points: number;
}

/** How far back one policy can restore, before and after (null where it does not exist). */
export interface RestorePointsChange {
  readonly cluster: string;
  readonly policy: string;
  readonly before: PolicyRestorePoints | null;
  readonly after: PolicyRestorePoints | null;
  /**
   * True when the policy was added or removed, keeps restore points further or less far back (a
   * TTL margin that follows the RPO does not count), or a tier's count or its restore points fell.
   */
  readonly changed: boolean;
  /** Tiers that hold fewer restore points than before (every tier of a removed policy), in the order of the tiers. */
  readonly fewer: readonly Tier[];
}

/** One Kubernetes object of the generated manifests that differs between two output trees. */
export interface GeneratedObjectChange {
  readonly change: 'added' | 'changed' | 'removed';
  /** Where it is applied: the output folder's first two levels (`clusters/prod-eu`, `argocd/prod-eu`, `hooks/ledger`, `runbooks/prod-eu`). */
  readonly area: string;
  /** The after side's (the before side's when removed). */
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  /** Its file, relative to the output folder (the before side's when removed). */
  readonly file: string;
  /** For a changed object, the fields that differ, two levels deep (`spec.template`, `roleRef`). */
  readonly fields: readonly string[];
  /** For a removed object Argo CD does not prune (`Prune=false`), the command that deletes it by hand; null otherwise. */
  readonly deleteCommand: string | null;
}

/** The objects that differ between two output trees. */
export interface GeneratedComparison {
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  /** Sorted by area, kind, namespace and name. */
  readonly objects: readonly GeneratedObjectChange[];
}

/** The generated manifests: what reaches the clusters, including what the compiler itself changes. */
export interface GeneratedDiff {
  /** The output folder, relative to the repository root. */
  readonly folder: string;
  /** The base's committed output against what today's compiler makes of the head's policies; null when not compared (see `notes`). */
  readonly change: GeneratedComparison | null;
  /**
   * The base's committed output against what today's compiler makes of the base's policies: what
   * upgrading restorable changes by itself (empty: no change from the compiler itself); null when
   * not compared.
   */
  readonly compiler: GeneratedComparison | null;
  /** What live clusters meet when `change` is synced, one sentence each. */
  readonly upgradeNotes: readonly string[];
  /** Why a comparison was not made. */
  readonly notes: readonly string[];
}

/** Where one side of the comparison came from. */
export interface DiffSide {
  /** The ref as given; null for the working tree. */
  readonly ref: string | null;
  /** The commit it resolved to; null for the working tree. */
  readonly commit: string | null;
  /** False when that side has no policy files (an empty model was compared). */
  readonly policies: boolean;
}

/** The whole report (JSON format, version 1). */
export interface DiffReport {
  readonly version: 1;
  readonly base: DiffSide;
  readonly head: DiffSide;
  /** The run's clock (`--now`), ISO 8601: restore windows in the chart end here. */
  readonly now: string;
  readonly summary: { readonly risk: number; readonly review: number; readonly safe: number; readonly total: number };
  /** Things to know about the comparison itself (an empty base, skipped files, errors in the policies). */
  readonly notes: readonly string[];
  /** Sorted by cluster (shared last), class (risk first), subject, name, field. */
  readonly changes: readonly Change[];
  /** Every policy of either side, sorted by cluster and name. */
  readonly restorePoints: readonly RestorePointsChange[];
  /** The generated manifests object by object; null when the base has no committed output folder. */
  readonly generated: GeneratedDiff | null;
}
