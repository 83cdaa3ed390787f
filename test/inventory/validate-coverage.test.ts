import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeToRepo, runCli } from '../support/run-cli.ts';
import { makeTempProject, type TempProject } from '../support/temp.ts';

interface JsonReport {
  ok: boolean;
  diagnostics: { code: string; severity: string; message: string; file?: string; line?: number; declaration?: string }[];
}

let project: TempProject;
let inventoryFile: string;

beforeAll(async () => {
  project = await makeTempProject({ copyExamplePolicies: true });
  inventoryFile = path.join(project.policiesDir, 'inventory', 'prod-eu.json');
});

afterAll(async () => {
  await project.cleanup();
});

const validate = (format: string) => runCli(['validate', '--policies', relativeToRepo(project.policiesDir), '--no-drift', '--format', format]);

describe('validate runs the coverage check on the inventories in <policies>/inventory/', () => {
  it("GIVEN the example organisation and its inventories WHEN validated THEN the only coverage finding is the search caches its volume policy skips (a warning)", async () => {
    const result = await validate('json');

    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as JsonReport).diagnostics.filter((d) => /^(COV|INV)/.test(d.code))).toMatchObject([
      {
        code: 'COV010',
        severity: 'warning',
        declaration: 'search',
        file: `${project.rel}/policies/teams/search.ts`,
        message: expect.stringContaining('namespace search on cluster prod-eu holds 3 of its 5 PersistentVolumeClaims (cache-opensearch-0, cache-opensearch-1, cache-opensearch-2; 50 GiB requested; storage class local-cache) whose data policy search skips'),
      },
    ]);
  });

  it('GIVEN a namespace with claims added to the prod-eu inventory WHEN validated THEN COV001 at its line of the inventory, exit 1, and a GitHub annotation there', async () => {
    const inventory = JSON.parse(await readFile(inventoryFile, 'utf8')) as { namespaces: Record<string, unknown> };
    const claim = { requestedBytes: 2 ** 30, storageClass: 'gp3', labels: {} };
    inventory.namespaces['ci-cache'] = {
      labels: {},
      persistentVolumeClaims: 3,
      requestedBytes: 3 * 2 ** 30,
      storageClasses: ['gp3'],
      statefulSets: ['runner'],
      claims: { 'cache-runner-0': claim, 'cache-runner-1': claim, 'cache-runner-2': claim },
      pods: [],
    };
    await writeFile(inventoryFile, `${JSON.stringify(sortedKeys(inventory), null, 2)}\n`);
    const line = (await readFile(inventoryFile, 'utf8')).split('\n').findIndex((l) => l.startsWith('    "ci-cache": {')) + 1;

    const json = await validate('json');
    const github = await validate('github');

    expect(json.code).toBe(1);
    const found = (JSON.parse(json.stdout) as JsonReport).diagnostics.filter((d) => d.code === 'COV001');
    expect(found).toMatchObject([{ severity: 'error', declaration: 'prod-eu', file: `${project.rel}/policies/inventory/prod-eu.json`, line }]);
    expect(found[0]?.message).toContain('namespace ci-cache on cluster prod-eu holds 3 PersistentVolumeClaims (3 GiB requested');
    expect(github.stdout).toContain(`::error file=${project.rel}/policies/inventory/prod-eu.json,line=${line},title=COV001::prod-eu: namespace ci-cache`);
  });

  it('GIVEN an inventory that is not valid WHEN validated THEN INV001 names the file', async () => {
    await writeFile(path.join(project.policiesDir, 'inventory', 'dr-us.json'), '{"version": 2, "cluster": "prod-eu", "namespaces": {}, "storageClasses": {}}\n');

    const result = await validate('json');

    expect((JSON.parse(result.stdout) as JsonReport).diagnostics.filter((d) => d.code === 'INV001')).toMatchObject([
      { severity: 'error', file: `${project.rel}/policies/inventory/dr-us.json`, line: 1, message: expect.stringContaining('is for cluster "prod-eu" but named after "dr-us"') },
    ]);
  });

  it('GIVEN a declared cluster without an inventory WHEN validated THEN the report says its coverage was not checked, in every format', async () => {
    await rm(path.join(project.policiesDir, 'inventory', 'dr-us.json'));

    const json = await validate('json');
    const text = await validate('text');
    const github = await validate('github');

    const note = `coverage of cluster dr-us not checked: no inventory ${project.rel}/policies/inventory/dr-us.json (import one: kubectl --context dr-us get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json | npx restorable inventory import --cluster dr-us -)`;
    expect((JSON.parse(json.stdout) as { notes?: string[] }).notes).toEqual([note]);
    expect(text.stdout).toContain(`note: ${note}\n`);
    expect(github.stdout).toContain(`::notice title=coverage::${note}\n`);
  }, 300_000);
});

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]));
}
