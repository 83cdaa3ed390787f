/**
 * Two known output trees of one organisation, for crash and concurrency tests: `old` from the
 * example policies, `new` from the same policies plus one more policy. Every interrupted or racing
 * write must leave exactly one of them behind.
 */
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { runSynth } from '../../support/run-cli.ts';
import { hashTree, makeTempProject, type TempProject } from '../../support/temp.ts';

/** A policy that changes the output: new Schedules and alerts, and changed shared objects. */
export const EXTRA_POLICY = `import { backupPolicy, restorePlan } from 'restorable';
import { drUs, prodEu } from '../clusters.ts';

export const tickets = backupPolicy('tickets', {
  cluster: prodEu,
  namespaces: ['tickets'],
  rpo: '1h',
  retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 },
  volumes: 'snapshot-data-mover',
});

export const ticketsRegionLoss = restorePlan('tickets-region-loss', {
  from: tickets,
  to: drUs,
  scenario: 'region-loss',
  rto: '1h',
  secretsRecovery: 'secrets-from-backup',
  drill: { every: 'week' },
});
`;

export interface TwoTrees {
  readonly project: TempProject;
  /** Policies that compile to the old tree. */
  readonly oldPolicies: string;
  /** Policies that compile to the new tree (the old ones plus {@link EXTRA_POLICY}). */
  readonly newPolicies: string;
  readonly oldTree: string;
  readonly newTree: string;
  readonly oldHash: string;
  readonly newHash: string;
  /** Files synth writes for the new tree (without its manifest). */
  readonly newFiles: number;
  /** A fresh copy of the old tree at `dir`, as if synth had written it there. */
  copyOld(dir: string): Promise<void>;
}

/** Synthesizes both trees (two synths, run side by side) in a temporary project. */
export async function twoTrees(): Promise<TwoTrees> {
  const project = await makeTempProject({ copyExamplePolicies: true });
  const oldPolicies = project.policiesDir;
  const newPolicies = path.join(project.dir, 'policies-new');
  await cp(oldPolicies, newPolicies, { recursive: true });
  await project.writePolicy('../policies-new/teams/tickets.ts', EXTRA_POLICY);
  const oldTree = path.join(project.dir, 'trees', 'old');
  const newTree = path.join(project.dir, 'trees', 'new');
  const [oldRun, newRun] = await Promise.all([runSynth(oldPolicies, oldTree), runSynth(newPolicies, newTree)]);
  expect(oldRun.code, oldRun.stderr).toBe(0);
  expect(newRun.code, newRun.stderr).toBe(0);
  const newFiles = Number(/wrote (\d+) files/.exec(newRun.stdout)?.[1]);
  expect(newFiles).toBeGreaterThan(20);
  const [oldHash, newHash] = await Promise.all([hashTree(oldTree), hashTree(newTree)]);
  expect(oldHash).not.toBe(newHash);
  return {
    project,
    oldPolicies,
    newPolicies,
    oldTree,
    newTree,
    oldHash,
    newHash,
    newFiles,
    copyOld: (dir) => cp(oldTree, dir, { recursive: true }),
  };
}
