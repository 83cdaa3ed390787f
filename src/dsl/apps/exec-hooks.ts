import type { DurationString } from '../duration.ts';
import type { AppProfile, Command, RestoreExecHook, VerifyCheck } from './profile.ts';

/** Props of a hand-written application profile. */
export interface ExecHooksProps {
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly container?: string;
  /** @default 'crash' */
  readonly consistency?: 'dump' | 'crash';
  /** @default none */
  readonly pre?: readonly Command[];
  /** @default none */
  readonly post?: readonly Command[];
  /** @default '5m' */
  readonly hookTimeout?: DurationString;
  /** @default none */
  readonly restore?: readonly RestoreExecHook[];
  readonly orderedResources?: Readonly<Record<string, readonly string[]>>;
  /** @default none */
  readonly verify?: readonly VerifyCheck[];
  /** @default a generic note */
  readonly restoreNotes?: string;
}

/**
 * The escape hatch: backup and restore hooks written by hand. Commands are argument vectors run
 * without a shell; wrap in `['/bin/sh', '-c', script]` only with arguments quoted by `shellQuote`.
 *
 * @example
 * execHooks({ name: 'queue', selector: { app: 'queue' }, pre: [['queue-ctl', 'flush']] })
 */
export function execHooks(props: ExecHooksProps): AppProfile {
  return {
    type: 'app',
    engine: 'custom',
    name: props.name,
    selector: props.selector,
    container: props.container,
    consistency: props.consistency ?? 'crash',
    pre: props.pre ?? [],
    post: props.post ?? [],
    hookTimeout: props.hookTimeout ?? '5m',
    restore: props.restore ?? [],
    orderedResources: props.orderedResources,
    verify: props.verify ?? [],
    restoreNotes: props.restoreNotes ?? 'Restored as captured; the hooks above ran around the capture.',
  };
}
