import type { Command } from 'commander';
import { UserError } from './errors.ts';

/** The run's clock: the global `--now` when given (tests and reproducible CI runs), else the current time. */
export function clockOf(command: Command): Date {
  const now = (command.optsWithGlobals() as { now?: string }).now;
  if (now === undefined) return new Date();
  const parsed = new Date(now);
  if (Number.isNaN(parsed.getTime())) throw new UserError(`--now: expected an ISO time such as 2026-11-25T12:00:00Z, got "${now}"`, 2);
  return parsed;
}
