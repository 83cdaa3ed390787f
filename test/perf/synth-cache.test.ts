/**
 * The synth cache against the reference path (compile and write every time): a hit only when no
 * input, no output file and no clock-dependent verdict changed, with the diagnostics a full
 * compile gives, and the output after any miss byte-identical to an uncached synth.
 */
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compile } from '../../src/compile.ts';
import { SynthCache } from '../../src/loader/synth-cache.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { writeTree } from '../../src/output/writer.ts';
import { rpoRule } from '../../src/rules/rpo.ts';
import { sealingRule } from '../../src/rules/sealing.ts';
import { runSynth } from '../support/run-cli.ts';
import { hashTree, makeTempDir, makeTempProject, type TempProject } from '../support/temp.ts';

const NOW = new Date('2026-12-01T00:00:00Z');

let project: TempProject;
let cacheDir: { dir: string; cleanup: () => Promise<void> };
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  project = await makeTempProject({ copyExamplePolicies: true });
  cacheDir = await makeTempDir('restorable-cache-');
  env = { RESTORABLE_CACHE_DIR: cacheDir.dir };
});
afterEach(async () => {
  await project.cleanup();
  await cacheDir.cleanup();
});

/** synth the way the command does: a hit, or compile, write and store. */
async function synth(now = NOW): Promise<{ hit: boolean; diagnostics: readonly Diagnostic[] }> {
  const cache = SynthCache.open({ policiesDir: project.policiesDir, outDir: project.outDir, env });
  const hit = await cache.lookup(now);
  if (hit) return { hit: true, diagnostics: hit.diagnostics };
  const compilation = await compile({ policiesDir: project.policiesDir, now });
  expect(compilation.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  await writeTree(project.outDir, compilation.files);
  await cache.store(compilation, now);
  return { hit: false, diagnostics: compilation.diagnostics };
}

/** The output of an uncached compile and write of the same policies, for comparison. */
async function referenceHash(now = NOW): Promise<string> {
  const out = path.join(project.dir, 'reference');
  await rm(out, { recursive: true, force: true });
  const compilation = await compile({ policiesDir: project.policiesDir, now });
  await writeTree(out, compilation.files);
  return hashTree(out);
}

describe('synth cache', () => {
  it('GIVEN nothing changed WHEN synth runs again THEN it is a hit with the same diagnostics, and the output equals an uncached synth', async () => {
    const first = await synth();
    expect(first.hit).toBe(false);
    const second = await synth();
    expect(second.hit).toBe(true);
    expect(second.diagnostics).toEqual(first.diagnostics);
    expect(await hashTree(project.outDir)).toBe(await referenceHash());
  });

  const inputChanges: [string, () => Promise<void>][] = [
    ['a policy module', () => appendFile(path.join(project.policiesDir, 'teams/web.ts'), '\n// edited\n')],
    ['a sealed credential', () => appendFile(path.join(project.policiesDir, 'sealed/prod-eu/velero-repo-credentials.yaml'), '\n')],
    ['a sealing certificate', () => appendFile(path.join(project.policiesDir, 'clusters/prod-eu/sealing-2026-11.pem'), '\n')],
    ['a new file anywhere in the policies folder', () => writeFile(path.join(project.policiesDir, 'notes.md'), 'notes\n')],
    ['a removed policy module', () => rm(path.join(project.policiesDir, 'teams/search.ts'))],
  ];
  for (const [what, change] of inputChanges) {
    it(`GIVEN ${what} changed WHEN synth runs THEN it misses, and the output equals an uncached synth`, async () => {
      await synth();
      await change();
      expect((await synth()).hit).toBe(false);
      expect(await hashTree(project.outDir)).toBe(await referenceHash());
      expect((await synth()).hit).toBe(true);
    });
  }

  const outputChanges: [string, (out: string) => Promise<void>][] = [
    ['an output file edited by hand', (out) => appendFile(path.join(out, 'clusters/prod-eu/velero/schedule-ledger-daily.yaml'), '# edited\n')],
    ['an output file removed', (out) => rm(path.join(out, 'clusters/prod-eu/velero/schedule-ledger-daily.yaml'))],
    ['an extra file in the output', (out) => writeFile(path.join(out, 'clusters/stray.yaml'), 'kind: Stray\n')],
    ['the output manifest edited', (out) => appendFile(path.join(out, '.restorable/manifest.json'), ' ')],
    ['the output removed', (out) => rm(out, { recursive: true })],
  ];
  for (const [what, change] of outputChanges) {
    it(`GIVEN ${what} WHEN synth runs THEN it misses and restores the output`, async () => {
      await synth();
      const expected = await hashTree(project.outDir);
      await change(project.outDir);
      expect((await synth()).hit).toBe(false);
      expect(await hashTree(project.outDir)).toBe(expected);
    });
  }

  it('GIVEN a policy importing a file outside the policies folder WHEN that file changes THEN synth misses', async () => {
    await mkdir(path.join(project.dir, 'lib'), { recursive: true });
    await writeFile(path.join(project.dir, 'lib', 'namespaces.ts'), "export const storefrontNamespaces = ['storefront', 'storefront-cms'];\n");
    const web = await readFile(path.join(project.policiesDir, 'teams/web.ts'), 'utf8');
    await writeFile(
      path.join(project.policiesDir, 'teams/web.ts'),
      `import { storefrontNamespaces } from '../../lib/namespaces.ts';\n${web.replace("namespaces: ['storefront', 'storefront-cms']", 'namespaces: storefrontNamespaces')}`,
    );
    await synth();
    expect((await synth()).hit).toBe(true);
    await writeFile(path.join(project.dir, 'lib', 'namespaces.ts'), "export const storefrontNamespaces = ['storefront'];\n");
    expect((await synth()).hit).toBe(false);
    expect(await hashTree(project.outDir)).toBe(await referenceHash());
  });

  it('GIVEN a later clock WHEN the verdicts of the rules reading it are unchanged THEN it hits; WHEN a certificate has meanwhile expired THEN it misses', async () => {
    await synth();
    expect((await synth(new Date('2026-12-02T00:00:00Z'))).hit).toBe(true);
    const expired = new Date('2040-01-01T00:00:00Z');
    const cache = SynthCache.open({ policiesDir: project.policiesDir, outDir: project.outDir, env });
    expect(await cache.lookup(expired)).toBeUndefined();
    const compilation = await compile({ policiesDir: project.policiesDir, now: expired });
    expect(compilation.diagnostics.some((d) => d.code === 'SEAL003')).toBe(true);
  });

  it('GIVEN a guardrail exception WHEN synth runs again after it ended THEN it misses and reports GRD010, as an uncached synth does', async () => {
    await appendFile(
      path.join(project.policiesDir, 'teams/payments.ts'),
      "\nimport { guardrailException } from 'restorable';\nexport const ledgerRpoException = guardrailException(ledger, { guardrail: 'maxRpo', reason: 'migrating', until: '2026-12-31' });\n",
    );
    const first = await synth();
    expect(first.hit).toBe(false);
    expect(first.diagnostics.some((d) => d.code === 'GRD011')).toBe(true);
    expect((await synth(new Date('2026-12-31T12:00:00Z'))).hit).toBe(true);
    const after = new Date('2027-01-01T00:00:00Z');
    const cache = SynthCache.open({ policiesDir: project.policiesDir, outDir: project.outDir, env });
    expect(await cache.lookup(after)).toBeUndefined();
    expect((await compile({ policiesDir: project.policiesDir, now: after })).diagnostics.some((d) => d.code === 'GRD010')).toBe(true);
  });

  it('GIVEN a synth that stores its cache entry WHEN it is done THEN every rule ran once: the rules reading the clock were noticed while compiling', async () => {
    const rpo = vi.spyOn(rpoRule, 'check');
    const sealing = vi.spyOn(sealingRule, 'check');
    try {
      expect((await synth()).hit).toBe(false);
      expect(rpo).toHaveBeenCalledTimes(1);
      expect(sealing).toHaveBeenCalledTimes(1);
      // The certificate check reads the clock: a hit runs it again, and only it.
      expect((await synth()).hit).toBe(true);
      expect(rpo).toHaveBeenCalledTimes(1);
      expect(sealing).toHaveBeenCalledTimes(2);
    } finally {
      rpo.mockRestore();
      sealing.mockRestore();
    }
  });

  it('GIVEN leftovers of an interrupted swap beside the output WHEN synth runs THEN it misses, so the writer cleans them up', async () => {
    await synth();
    await mkdir(path.join(path.dirname(project.outDir), '.out.prev'));
    expect((await synth()).hit).toBe(false);
  });

  it('GIVEN RESTORABLE_NO_CACHE=1 WHEN synth runs twice THEN both compile', async () => {
    env = { ...env, RESTORABLE_NO_CACHE: '1' };
    expect((await synth()).hit).toBe(false);
    expect((await synth()).hit).toBe(false);
  });

  it('GIVEN the CLI WHEN synth runs twice and a policy changes THEN the output always equals a synth without the cache', async () => {
    const cli = (extra: NodeJS.ProcessEnv = {}) => runSynth(project.policiesDir, project.outDir, { env: { ...env, ...extra } });
    expect((await cli()).stdout).toMatch(/wrote \d+ files/);
    const again = await cli();
    expect(again.stdout).toMatch(/is up to date \(\d+ files\)/);
    const web = path.join(project.policiesDir, 'teams/web.ts');
    await writeFile(web, (await readFile(web, 'utf8')).replace("rpo: '1h'", "rpo: '30m'"));
    expect((await cli()).stdout).toMatch(/wrote \d+ files/);
    const cached = await hashTree(project.outDir);
    const reference = await runSynth(project.policiesDir, path.join(project.dir, 'uncached'), { env: { RESTORABLE_NO_CACHE: '1' } });
    expect(reference.code, reference.stderr).toBe(0);
    expect(cached).toBe(await hashTree(path.join(project.dir, 'uncached')));
  });
});

describe('what the synth cache rests on', () => {
  it('GIVEN the stages that compute the output WHEN their source is read THEN the clock enters only as RuleEnv.now, and nothing reads the environment or randomness', async () => {
    const { readdir } = await import('node:fs/promises');
    const src = path.join(path.dirname(path.dirname(import.meta.dirname)), 'src');
    const pure = ['compile.ts', 'dsl', 'model', 'rules', 'lower', 'security', 'k8s', 'output/normalize.ts', 'output/yaml.ts', 'output/layout.ts'];
    // The clock's two sources: checkModel's default and compile's `options.now ?? new Date()`.
    const allowed = [
      ['rules/index.ts', 'env: RuleEnv = { now: new Date()'],
      ['compile.ts', 'now: options.now ?? new Date()'],
    ];
    const found: string[] = [];
    for (const entry of pure) {
      const full = path.join(src, entry);
      const files = entry.endsWith('.ts')
        ? [entry]
        : (await readdir(full, { recursive: true })).filter((f) => f.endsWith('.ts')).map((f) => `${entry}/${f.split(path.sep).join('/')}`);
      for (const file of files) {
        const text = await readFile(path.join(src, file), 'utf8');
        for (const match of text.matchAll(/.{0,30}(new Date\(\)|Date\.now\(|performance\.now\(|process\.env|Math\.random\()/g)) {
          if (!allowed.some(([where, fragment]) => where === file && match[0].includes(fragment ?? ''))) found.push(`${file}: ${match[0].trim()}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
