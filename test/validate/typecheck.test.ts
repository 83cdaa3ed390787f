import { readdirSync } from 'node:fs';
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

  it('GIVEN a cached check of a clean policy WHEN a type error is introduced, then fixed THEN each check reports what the files say now', async () => {
    const env = { RESTORABLE_CACHE_DIR: path.join(dir, 'cache') };
    const policies = path.join(dir, 'incremental');
    await mkdir(policies, { recursive: true });
    const policy = (rpo: string): string =>
      [
        "import { backupPolicy, cluster, s3Storage, sealed } from 'restorable';",
        "const eu = s3Storage('eu', { bucket: 'b', region: 'eu-west-1', credentials: sealed('c') });",
        "const prod = cluster('prod', { environment: 'production', storage: [eu] });",
        `export const ledger = backupPolicy('ledger', { cluster: prod, namespaces: ['payments'], rpo: '${rpo}', retention: { daily: 7 } });`,
        '',
      ].join('\n');
    await writeFile(path.join(policies, 'ledger.ts'), policy('1h'));
    expect(await typeCheckPolicies(policies, { env })).toEqual([]);
    expect(readdirSync(env.RESTORABLE_CACHE_DIR).filter((f) => f.endsWith('.tsbuildinfo'))).toHaveLength(1);

    await writeFile(path.join(policies, 'ledger.ts'), policy('1 hour'));
    expect((await typeCheckPolicies(policies, { env })).map((d) => d.code)).toEqual(['TS2322']);
    // Unchanged since the last check: the answer comes from the build info and is the same.
    expect((await typeCheckPolicies(policies, { env })).map((d) => d.code)).toEqual(['TS2322']);

    await writeFile(path.join(policies, 'ledger.ts'), policy('1h'));
    expect(await typeCheckPolicies(policies, { env })).toEqual([]);
  }, 120_000);

  it('GIVEN the example organisation WHEN type-checked THEN there is nothing to report', async () => {
    expect(await typeCheckPolicies(examplePoliciesRel)).toEqual([]);
  }, 60_000);
});
