import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typeCheckPolicies } from '../../src/cli/typecheck.ts';
import { examplePoliciesRel } from '../support/temp.ts';

// Inside the repository, so the policy's `import ... from 'restorable'` resolves by self-reference.
let dir = '';
beforeAll(async () => {
  await mkdir('.tmp', { recursive: true });
  dir = await mkdtemp(path.join('.tmp', 'typecheck-'));
  await mkdir(path.join(dir, 'policies'));
  await writeFile(
    path.join(dir, 'policies', 'bad.ts'),
    [
      "import { backupPolicy, cluster, s3Storage, sealed } from 'restorable';",
      "const eu = s3Storage('eu', { bucket: 'b', region: 'eu-west-1', credentials: sealed('c') });",
      "const prod = cluster('prod', { environment: 'production', storage: [eu] });",
      "export const ledger = backupPolicy('ledger', { cluster: prod, namespaces: ['payments'], rpo: '1 hour', retention: { daily: 7 } });",
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('type errors in policies', () => {
  it("GIVEN a policy whose rpo is not a typed duration WHEN type-checked THEN a TS diagnostic points at the policy's file and line", async () => {
    const found = await typeCheckPolicies(path.join(dir, 'policies'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'TS2322', severity: 'error', source: { file: `${dir}/policies/bad.ts`, line: 4 } });
    expect(found[0]?.message).toContain('1 hour');
  });

  it('GIVEN the example organisation WHEN type-checked THEN there is nothing to report', async () => {
    expect(await typeCheckPolicies(examplePoliciesRel)).toEqual([]);
  }, 60_000);
});
