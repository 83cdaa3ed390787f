import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryInputError, inventoryFromList } from '../../src/inventory/import.ts';
import { parseInventory } from '../../src/inventory/load.ts';
import { serializeInventory } from '../../src/inventory/store.ts';
import type { Inventory } from '../../src/inventory/types.ts';
import { relativeToRepo, runCli, stackTraceLines } from '../support/run-cli.ts';
import { makeTempProject, repoRoot, type TempProject } from '../support/temp.ts';
import { generateList, shuffled } from './list-generator.ts';

let project: TempProject;

beforeEach(async () => {
  project = await makeTempProject();
});

afterEach(async () => {
  await project.cleanup();
});

async function writeInput(name: string, content: string): Promise<string> {
  const file = path.join(project.dir, name);
  await writeFile(file, content);
  return relativeToRepo(file);
}

const importArgs = (cluster: string, file: string): string[] => ['inventory', 'import', '--cluster', cluster, '--policies', relativeToRepo(project.policiesDir), file];

const inventoryFile = (cluster: string): string => path.join(project.policiesDir, 'inventory', `${cluster}.json`);

describe('restorable inventory import', () => {
  it('GIVEN a List of 400 namespaces WHEN imported THEN every namespace is stored with its labels, claim count, requested bytes, storage classes and StatefulSets', async () => {
    const generated = generateList(400, 7);
    const input = await writeInput('snapshot.json', JSON.stringify(generated.list));

    const result = await runCli(importArgs('prod-eu', input));

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const withData = [...generated.expected.values()].filter((n) => n.claims > 0).length;
    expect(result.stdout).toContain(`${relativeToRepo(inventoryFile('prod-eu'))}: 400 namespaces, ${withData} holding data`);
    const stored = JSON.parse(await readFile(inventoryFile('prod-eu'), 'utf8')) as Inventory;
    expect(stored.version).toBe(2);
    expect(stored.storageClasses).toEqual(generated.storageClasses);
    expect(stored.cluster).toBe('prod-eu');
    expect(Object.keys(stored.namespaces)).toHaveLength(400);
    for (const [name, want] of generated.expected) {
      expect(stored.namespaces[name], name).toEqual({
        labels: want.labels,
        persistentVolumeClaims: want.claims,
        requestedBytes: want.bytes,
        storageClasses: want.storageClasses,
        statefulSets: want.statefulSets,
        claims: want.claimDetails,
        pods: want.pods,
      });
    }
  });

  it('GIVEN annotations, specs and statuses carrying secret-looking values WHEN imported THEN none of them reaches the inventory', async () => {
    const generated = generateList(300, 11);
    const input = await writeInput('snapshot.json', JSON.stringify(generated.list));

    const result = await runCli(importArgs('prod-eu', input));

    expect(result.code).toBe(0);
    const text = await readFile(inventoryFile('prod-eu'), 'utf8');
    for (const secret of generated.secrets) expect(text).not.toContain(secret.slice(4));
    for (const dropped of ['annotations', 'managedFields', 'last-applied', 'uid', 'volumeName', 'Bound', 'image', 'TOKEN', 'podIP', 'emptyDir', 'parameters', 'reclaimPolicy']) {
      expect(text).not.toContain(dropped);
    }
  });

  it('GIVEN the same snapshot with its items in another order WHEN imported twice THEN the files are byte for byte equal, keys sorted, two-space indented, newline-terminated', async () => {
    const generated = generateList(250, 3);
    const first = await writeInput('a.json', JSON.stringify(generated.list));
    const second = await writeInput('b.json', JSON.stringify({ ...generated.list, items: shuffled(generated.list.items, 99) }, null, 4));

    expect((await runCli(importArgs('prod-eu', first))).code).toBe(0);
    const before = await readFile(inventoryFile('prod-eu'), 'utf8');
    expect((await runCli(importArgs('prod-eu', second))).code).toBe(0);
    const after = await readFile(inventoryFile('prod-eu'), 'utf8');

    expect(after).toBe(before);
    expect(before.endsWith('}\n')).toBe(true);
    expect(before.split('\n')[1]).toBe('  "cluster": "prod-eu",');
    expect(Object.keys(JSON.parse(before).namespaces)).toEqual(Object.keys(JSON.parse(before).namespaces).sort());
    expect(before).toBe(serializeInventory(JSON.parse(before) as Inventory));
    expect(await readdir(path.join(project.policiesDir, 'inventory'))).toEqual(['prod-eu.json']);
  });

  it('GIVEN a List saved with a byte-order mark WHEN imported THEN it is read like any other', async () => {
    const generated = generateList(5, 4);
    const input = await writeInput('bom.json', `\uFEFF${JSON.stringify(generated.list)}`);

    const result = await runCli(importArgs('prod-eu', input));

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(Object.keys((JSON.parse(await readFile(inventoryFile('prod-eu'), 'utf8')) as Inventory).namespaces)).toHaveLength(5);
  });

  it('GIVEN a List read from standard input WHEN imported with - THEN it is stored like a file', async () => {
    const generated = generateList(5, 2);
    const input = await writeInput('snapshot.json', JSON.stringify(generated.list));

    const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'restorable.mjs'), ...importArgs('dr-us', '-')], {
      cwd: repoRoot,
      input: await readFile(path.join(repoRoot, input)),
    });

    expect(result.status).toBe(0);
    expect(Object.keys((JSON.parse(await readFile(inventoryFile('dr-us'), 'utf8')) as Inventory).namespaces)).toHaveLength(5);
  });

  it('GIVEN two imports of different snapshots running at once WHEN both finish THEN the file is one of the two complete inventories and no temporary file is left', async () => {
    const small = await writeInput('small.json', JSON.stringify(generateList(50, 21).list));
    const large = await writeInput('large.json', JSON.stringify(generateList(600, 22).list));

    const results = await Promise.all([runCli(importArgs('prod-eu', small)), runCli(importArgs('prod-eu', large))]);

    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const stored = JSON.parse(await readFile(inventoryFile('prod-eu'), 'utf8')) as Inventory;
    expect([50, 600]).toContain(Object.keys(stored.namespaces).length);
    expect(await readdir(path.dirname(inventoryFile('prod-eu')))).toEqual(['prod-eu.json']);
  });

  describe('bad input: a clear error, exit 1, no stack trace, the stored inventory unchanged', () => {
    const cases: readonly { name: string; content?: string; folder?: boolean; missing?: boolean; expect: RegExp }[] = [
      { name: 'a missing file', missing: true, expect: /^error: cannot read \S+: no such file$/m },
      { name: 'a folder', folder: true, expect: /^error: cannot read \S+: it is a folder$/m },
      { name: 'text that is not JSON', content: 'NAME   STATUS   AGE\npayments   Active   3d\n', expect: /^error: \S+ is not JSON \(.*\); produce it with: kubectl get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json$/m },
      { name: 'a single object, not a List', content: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }), expect: /expected a Kubernetes List \(kind: List with items\), found kind: Namespace/ },
      { name: 'a JSON array', content: '[]', expect: /expected a Kubernetes List .*found a JSON array/ },
      { name: 'an empty file', content: '', expect: /is not JSON/ },
      { name: 'an empty List', content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }), expect: /the List is empty: a cluster has at least its system namespaces/ },
      {
        name: 'a List of Pods only',
        content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Pod', metadata: { name: 'p', namespace: 'n' } }] }),
        expect: /the List holds no Namespace \(it holds 1 Pod\); an inventory is made from: kubectl get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json/,
      },
      {
        name: 'kubectl -o yaml output',
        content: 'apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: payments\nkind: List\n',
        expect: /^error: \S+ is YAML \(kubectl -o yaml\), not JSON; take the snapshot with -o json: kubectl get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json$/m,
      },
      {
        name: 'a List with a claim listed twice',
        content: JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [1, 2].map((gib) => ({ kind: 'PersistentVolumeClaim', metadata: { name: 'd', namespace: 'n' }, spec: { resources: { requests: { storage: `${gib}Gi` } } } })),
        }),
        expect: /holds an object more than once: PersistentVolumeClaim n\/d \(items\[0\], items\[1\]\)/,
      },
      {
        name: 'a namespace name that is not one',
        content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'Namespace', metadata: { name: 'Team_A' } }] }),
        expect: /items\[0\] \(Namespace "Team_A"\): metadata\.name "Team_A" is not a namespace name/,
      },
      {
        name: 'a claim without a size',
        content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'PersistentVolumeClaim', metadata: { name: 'd', namespace: 'n' }, spec: {} }] }),
        expect: /items\[0\] \(PersistentVolumeClaim n\/d\): spec\.resources\.requests\.storage is missing/,
      },
      {
        name: 'a claim with a malformed size',
        content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'PersistentVolumeClaim', metadata: { name: 'd', namespace: 'n' }, spec: { resources: { requests: { storage: '10 GB' } } } }] }),
        expect: /storage "10 GB" is not a storage quantity such as 10Gi/,
      },
      {
        name: 'a claim without a namespace (kubectl run without -A)',
        content: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'PersistentVolumeClaim', metadata: { name: 'd' }, spec: { resources: { requests: { storage: '1Gi' } } } }] }),
        expect: /metadata\.namespace is missing \(list every namespace with -A\)/,
      },
    ];
    for (const c of cases) {
      it(`GIVEN ${c.name} WHEN imported THEN the error says what is wrong`, async () => {
        const previous = serializeInventory({ version: 2, cluster: 'prod-eu', namespaces: {}, storageClasses: {} });
        await mkdir(path.dirname(inventoryFile('prod-eu')), { recursive: true });
        await writeFile(inventoryFile('prod-eu'), previous);
        let input = relativeToRepo(path.join(project.dir, 'absent.json'));
        if (c.folder) {
          await mkdir(path.join(project.dir, 'folder.json'));
          input = relativeToRepo(path.join(project.dir, 'folder.json'));
        } else if (!c.missing) input = await writeInput('input.json', c.content ?? '');

        const result = await runCli(importArgs('prod-eu', input));

        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(c.expect);
        expect(stackTraceLines(result.stderr)).toEqual([]);
        expect(await readFile(inventoryFile('prod-eu'), 'utf8')).toBe(previous);
        expect(await readdir(path.dirname(inventoryFile('prod-eu')))).toEqual(['prod-eu.json']);
      });
    }

    it('GIVEN a cluster name that could leave the inventory folder WHEN imported THEN it is refused as a usage error before the file is read', async () => {
      const result = await runCli(importArgs('../../etc', 'does-not-matter.json'));

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: --cluster: "\.\.\/\.\.\/etc" is not a cluster name/m);
      expect(stackTraceLines(result.stderr)).toEqual([]);
    });
  });
});

describe('inventoryFromList', () => {
  it('GIVEN claims and StatefulSets of a namespace the List does not hold WHEN imported THEN the namespace is stored without labels (unknown, not empty)', () => {
    const { inventory } = inventoryFromList(
      {
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { kind: 'PersistentVolumeClaim', metadata: { name: 'a', namespace: 'orphan' }, spec: { resources: { requests: { storage: '1Gi' } } } },
          { kind: 'Namespace', metadata: { name: 'plain' } },
        ],
      },
      'prod-eu',
    );

    expect(inventory.namespaces.orphan).toEqual({
      persistentVolumeClaims: 1,
      requestedBytes: 1_073_741_824,
      storageClasses: ['(default)'],
      statefulSets: [],
      claims: { a: { requestedBytes: 1_073_741_824, storageClass: '(default)', labels: {} } },
      pods: [],
    });
    expect(inventory.namespaces.plain).toEqual({ labels: {}, persistentVolumeClaims: 0, requestedBytes: 0, storageClasses: [], statefulSets: [], claims: {}, pods: [] });
  });

  it('GIVEN the same claim listed twice with different sizes WHEN imported in either order THEN both are refused with the same message naming it', () => {
    const claim = (size: string) => ({ kind: 'PersistentVolumeClaim', metadata: { name: 'a', namespace: 'n' }, spec: { resources: { requests: { storage: size } } } });
    const run = (items: unknown[]) => () => inventoryFromList({ kind: 'List', items }, 'c');

    expect(run([claim('1Gi'), claim('2Gi')])).toThrow(/the List holds an object more than once: PersistentVolumeClaim n\/a \(items\[0\], items\[1\]\); kubectl lists each object once/);
    expect(run([claim('2Gi'), claim('1Gi')])).toThrow(/PersistentVolumeClaim n\/a \(items\[0\], items\[1\]\)/);
  });

  it('GIVEN a namespace listed twice WHEN imported THEN it is refused naming both items', () => {
    const namespace = { kind: 'Namespace', metadata: { name: 'payments' } };

    expect(() => inventoryFromList({ kind: 'List', items: [namespace, { kind: 'Pod', metadata: { name: 'p', namespace: 'x' } }, namespace] }, 'c')).toThrow(
      /Namespace payments \(items\[0\], items\[2\]\)/,
    );
  });

  it.each([
    ['upper case', 'Payments'],
    ['an underscore', 'team_a'],
    ['a dot', 'a.b'],
    ['64 characters', 'a'.repeat(64)],
    ['a prototype key', '__proto__'],
  ])('GIVEN a namespace name with %s WHEN imported THEN it is refused as not a namespace name', (_, name) => {
    expect(() => inventoryFromList({ kind: 'List', items: [{ kind: 'Namespace', metadata: { name } }] }, 'c')).toThrow(/is not a namespace name/);
    const claim = { kind: 'PersistentVolumeClaim', metadata: { name: 'd', namespace: name }, spec: { resources: { requests: { storage: '1Gi' } } } };
    expect(() => inventoryFromList({ kind: 'List', items: [claim] }, 'c')).toThrow(/metadata\.namespace ".*" is not a namespace name/);
  });

  it('GIVEN namespaces named like JavaScript object keys WHEN imported and parsed THEN they are kept as namespaces like any other', () => {
    const items = ['constructor', 'hasownproperty', 'tostring'].flatMap((name) => [
      { kind: 'Namespace', metadata: { name, labels: { team: name } } },
      { kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: name }, spec: { resources: { requests: { storage: '1Gi' } } } },
    ]);

    const { inventory } = inventoryFromList({ kind: 'List', items }, 'c');

    expect(Object.keys(inventory.namespaces)).toEqual(['constructor', 'hasownproperty', 'tostring']);
    expect(inventory.namespaces.constructor).toMatchObject({ labels: { team: 'constructor' }, persistentVolumeClaims: 1, requestedBytes: 2 ** 30, storageClasses: ['(default)'], statefulSets: [] });
    expect(parseInventory(serializeInventory(inventory), 'c')).toEqual(inventory);
  });

  it('GIVEN a claim of the pre-1.6 era WHEN imported THEN its class comes from the beta annotation', () => {
    const claim = { kind: 'PersistentVolumeClaim', metadata: { name: 'a', namespace: 'n', annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } }, spec: { resources: { requests: { storage: '1Gi' } } } };

    expect(inventoryFromList({ kind: 'List', items: [{ kind: 'Namespace', metadata: { name: 'n' } }, claim] }, 'c').inventory.namespaces.n?.storageClasses).toEqual(['legacy']);
  });

  it('GIVEN other kinds in the List besides namespaces WHEN imported THEN they are counted as skipped and stored nowhere', () => {
    const result = inventoryFromList(
      { kind: 'List', items: [{ kind: 'Service', metadata: { name: 'p', namespace: 'n' } }, { kind: 'Namespace', metadata: { name: 'n' } }, { kind: 'Service', metadata: { name: 'q', namespace: 'n' } }] },
      'c',
    );

    expect(result.skipped).toEqual({ Service: 2 });
    expect(Object.keys(result.inventory.namespaces)).toEqual(['n']);
  });

  it('GIVEN a namespace with non-string labels WHEN imported THEN it is refused', () => {
    expect(() => inventoryFromList({ kind: 'List', items: [{ kind: 'Namespace', metadata: { name: 'n', labels: { a: 1 } } }] }, 'c')).toThrow(InventoryInputError);
  });
});

/** The `namespaces` JSON of an inventory whose namespace n is valid but for `change`. */
const ns = (change: Record<string, unknown>): string =>
  JSON.stringify({ n: { persistentVolumeClaims: 0, requestedBytes: 0, storageClasses: [], statefulSets: [], claims: {}, pods: [], ...change } });

describe('parseInventory', () => {
  it('GIVEN a file written by import WHEN parsed THEN the same inventory comes back', () => {
    const { inventory } = inventoryFromList(generateList(20, 5).list, 'prod-eu');

    expect(parseInventory(serializeInventory(inventory), 'prod-eu')).toEqual(inventory);
  });

  it.each([
    ['{', /is not JSON/],
    ['[]', /is not a JSON object/],
    ['{"version":1,"cluster":"c","namespaces":{}}', /has version 1, expected 2 \(version 1 kept no claim labels, pods or storage classes/],
    ['{"version":2,"cluster":"other","namespaces":{},"storageClasses":{}}', /is for cluster "other" but named after "c"/],
    ['{"version":2,"cluster":"c","storageClasses":{}}', /has no "namespaces" object/],
    ['{"version":2,"cluster":"c","namespaces":{}}', /has no "storageClasses" object/],
    ['{"version":2,"cluster":"c","namespaces":{},"storageClasses":{"gp3":{"provisioner":"ebs.csi.aws.com"}}}', /storageClasses\.gp3 is not \{ provisioner: string, default: boolean \}/],
    ...[
      ['{"__proto__":{}}', /namespaces: "__proto__" is not a namespace name/],
      ['{"Team A":{}}', /namespaces: "Team A" is not a namespace name/],
      [ns({ persistentVolumeClaims: -1 }), /namespaces\.n\.persistentVolumeClaims is not a whole number/],
      [ns({ requestedBytes: 1.5 }), /requestedBytes is not a whole number/],
      [ns({ storageClasses: 'gp3' }), /storageClasses is not a list/],
      [ns({ labels: { a: 1 } }), /labels is not a map of strings/],
      [ns({ claims: { d: { requestedBytes: 1, storageClass: 'gp3' } } }), /namespaces\.n\.claims\.d is not \{ requestedBytes, storageClass, labels \}/],
      [ns({ persistentVolumeClaims: 3, requestedBytes: 30 }), /namespaces\.n says 3 claims of 30 bytes, but its claims list 0 of 0 bytes/],
      [ns({ pods: [{ labels: {} }] }), /namespaces\.n\.pods is not a list of \{ labels, claims \}/],
    ].map(([namespaces, problem]) => [`{"version":2,"cluster":"c","storageClasses":{},"namespaces":${namespaces}}`, problem] as [string, RegExp]),
  ])('GIVEN %s WHEN parsed THEN the problem is named', (text, problem) => {
    expect(parseInventory(text, 'c')).toMatch(problem);
  });
});
