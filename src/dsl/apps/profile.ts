import type { DurationString } from '../duration.ts';

/** A command run inside a container, as an argument vector (no shell unless it starts with one). */
export type Command = readonly string[];

/**
 * A verification run against the restored application (by the restore runner and by drills).
 * Namespaces are source namespaces; the runner maps them like the restore does.
 */
export type VerifyCheck =
  | {
      readonly type: 'command';
      readonly name: string;
      readonly command: Command;
      /** Pods to run in. @default the app profile's selector */
      readonly selector?: Readonly<Record<string, string>>;
      readonly container?: string;
      /** @default the policy's first namespace */
      readonly namespace?: string;
    }
  | {
      readonly type: 'http';
      readonly name: string;
      readonly service: string;
      readonly port: number;
      readonly path: string;
      readonly namespace?: string;
    }
  | {
      readonly type: 'sql';
      readonly name: string;
      readonly query: string;
      /** App profile whose database client runs the query. @default the plan's only database profile */
      readonly app?: string;
      /** The fewest rows the query must return (a whole number, at least 1). @default 1 */
      readonly minRows?: number;
    };

/** An exec hook run in the restored pod once it is ready. */
export interface RestoreExecHook {
  readonly command: Command;
  /** How long to wait for the container to be ready; Velero waits forever without it. */
  readonly waitTimeout: DurationString;
  /** How long the command may run. */
  readonly execTimeout: DurationString;
}

/**
 * How an application is made consistent:
 * - `dump`: a pre-backup hook writes a consistent logical dump onto a backed-up volume; restore
 *   brings back the volume and the dump (the dump is the point of truth if crash recovery fails);
 * - `crash`: the volume is captured as is; the engine's own recovery (WAL, AOF) runs at start.
 */
export type Consistency = 'dump' | 'crash';

/**
 * What an application profile contributes: Velero backup hooks, restore hooks, ordered resources
 * and the checks a restore drill runs. Made by postgres(), mysql(), mongodb(), redis() or execHooks().
 */
export interface AppProfile {
  readonly type: 'app';
  /** Step name, also used to order restore steps. */
  readonly name: string;
  /** Engine this profile is for (`postgres`, `mysql`, `mongodb`, `redis`, `custom`). */
  readonly engine: string;
  /** Database SQL checks connect to (postgres, mysql). */
  readonly database?: string;
  /** Database user SQL checks connect as (postgres). */
  readonly user?: string;
  /** Labels of the pods the hooks run in. */
  readonly selector: Readonly<Record<string, string>>;
  /** Container the hooks run in. @default the pod's first container */
  readonly container?: string;
  readonly consistency: Consistency;
  /** Commands run before the volume is captured. */
  readonly pre: readonly Command[];
  /** Commands run after the volume is captured. */
  readonly post: readonly Command[];
  /** How long each backup hook may run (for a dump with a known size and no declared timeout, the least it gets). */
  readonly hookTimeout: DurationString;
  /**
   * The dump's size and speed, when the profile declares `dataSize`: its timeout is derived from them
   * and the policy's RPO, and RPO002 reports a dump that cannot finish within the RPO.
   */
  readonly dump?: {
    /** Kubernetes quantity (`'200Gi'`). */
    readonly dataSize: string;
    /** How fast the dump tool writes, in bytes per second. */
    readonly bytesPerSecond: number;
    /** True when `timeout` was declared: it is used as is. */
    readonly timeoutDeclared: boolean;
  };
  /** Commands run in the restored pod. */
  readonly restore: readonly RestoreExecHook[];
  /** Velero `orderedResources`: resource -> `namespace/name` list, backed up in that order. */
  readonly orderedResources?: Readonly<Record<string, readonly string[]>>;
  /** Checks a drill runs after restoring. */
  readonly verify: readonly VerifyCheck[];
  /** What a restore must do with the dump, in words, for the runbook. */
  readonly restoreNotes: string;
}
