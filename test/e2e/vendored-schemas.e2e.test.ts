/**
 * The upstream schemas `npm test` validates against are vendored under test/fixtures/schemas/: here
 * they are checked against their sources, with Go: every vendored file is byte-identical to the
 * module version it names (`refresh.sh --check`, `go mod download` only), and the vendored Velero
 * CRDs are the ones the real `velero install --crds-only` installs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, inject, it } from 'vitest';
import { repoRoot } from './harness/test-run.ts';

const schemas = path.join(repoRoot, 'test', 'fixtures', 'schemas');

interface Crd {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: unknown;
}

describe('vendored upstream schemas', () => {
  it('every vendored file is identical to the module version it names (refresh.sh --check)', () => {
    const output = execFileSync('bash', [path.join(schemas, 'refresh.sh'), '--check'], { encoding: 'utf8' });
    expect(output).toMatch(/all \d+ vendored files are identical/);
  });

  it("the vendored Velero CRDs are exactly those the real `velero install --crds-only` renders", () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'restorable-velero-crds-'));
    try {
      // The CLI needs a kubeconfig to render, though a dry run never connects.
      const kubeconfig = path.join(scratch, 'kubeconfig');
      writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: x, user: {}}]\ncontexts: [{name: x, context: {cluster: x, user: x}}]\ncurrent-context: x\n');
      const rendered = execFileSync(path.join(inject('veleroBin'), 'velero'), ['install', '--crds-only', '--dry-run', '-o', 'yaml', `--kubeconfig=${kubeconfig}`], { encoding: 'utf8' });
      const fromInstall = new Map<string, unknown>();
      for (const doc of yaml.loadAll(rendered) as (Crd & { items?: Crd[] })[]) {
        for (const crd of doc?.items ?? [doc]) if (crd?.kind === 'CustomResourceDefinition') fromInstall.set(crd.metadata.name, crd.spec);
      }
      const dir = path.join(schemas, 'velero', 'v1.18.1');
      const vendored = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
      expect(vendored.length).toBe(fromInstall.size);
      for (const file of vendored) {
        const crd = yaml.load(readFileSync(path.join(dir, file), 'utf8')) as Crd;
        expect(fromInstall.get(crd.metadata.name), file).toEqual(crd.spec);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
