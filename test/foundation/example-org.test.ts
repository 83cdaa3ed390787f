/**
 * The example organisation (test/fixtures/orgs/example/policies) compiled by the real CLI:
 * properties every output must have, strict validation against the real CRDs, and the written tree
 * compared with an in-process compilation of the same policies.
 */
import { createHash } from 'node:crypto';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tier } from '../../src/dsl/retention.ts';
import { type Compilation, compile } from '../../src/compile.ts';
import type { PolicyModel } from '../../src/model/types.ts';
import { validateAgainstReferenceCrds } from '../support/crd.ts';
import { runCli, stackTraceLines } from '../support/run-cli.ts';
import { examplePoliciesRel, makeTempProject, readTree, type TempProject } from '../support/temp.ts';
import { DAY, expectedBaseInterval, fieldCount, longestGap, PERIOD, parseGoDuration, splitZone, TIER_ORDER, unionOfRuns } from './helpers.ts';

/** A generated object and where it was written. */
interface Written {
  readonly file: string;
  readonly cluster: string | undefined;
  readonly object: K8sObject;
}

interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

interface ScheduleSpec {
  readonly schedule: string;
  readonly template: {
    readonly metadata?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
    readonly ttl: string;
    readonly storageLocation?: string;
  };
}

let project: TempProject;
let synth: { code: number | null; stdout: string; stderr: string };
let output: Map<string, Buffer>;
let written: Written[];
let policies: Map<string, PolicyModel>;
let compilation: Compilation;

const POLICY_LABEL = 'restorable.dev/policy';
const TIER_LABEL = 'restorable.dev/tier';

beforeAll(async () => {
  project = await makeTempProject();
  const outRel = `${project.rel}/out`;
  const [result, compiled] = await Promise.all([runCli(['synth', '--policies', examplePoliciesRel, '--out', outRel]), compile({ policiesDir: examplePoliciesRel })]);
  synth = result;
  compilation = compiled;
  policies = new Map(compiled.model.policies.map((p) => [p.name, p]));
  // When synth fails there is no output; the first test reports why.
  output = synth.code === 0 ? await readTree(project.outDir) : new Map();
  written = [...output]
    .filter(([file]) => file.endsWith('.yaml'))
    .map(([file, bytes]) => ({
      file,
      cluster: /^clusters\/([^/]+)\//.exec(file)?.[1],
      object: yaml.load(bytes.toString('utf8')) as K8sObject,
    }));
});
afterAll(() => project.cleanup());

const ofKind = (kind: string): Written[] => written.filter((w) => w.object.kind === kind);
const scheduleSpec = (w: Written): ScheduleSpec => w.object.spec as unknown as ScheduleSpec;

describe('example organisation: synth', () => {
  it('GIVEN the example policies WHEN synth runs THEN it exits 0, reports the files written and prints no stack trace', () => {
    expect(synth.code, synth.stderr).toBe(0);
    expect(synth.stdout).toMatch(/^synth: wrote \d+ files to \.tmp\/.+\/out\n$/);
    expect(stackTraceLines(synth.stderr)).toEqual([]);
    expect(synth.stderr).not.toMatch(/error/i);
  });

  it('GIVEN the output WHEN compared with an in-process compilation of the same policies THEN the CLI wrote exactly its files, byte for byte, and a manifest of their sha256', () => {
    const manifestFile = '.restorable/manifest.json';
    const files = [...output.keys()].filter((file) => file !== manifestFile).sort();
    expect(compilation.files.size).toBeGreaterThan(0);
    expect(files).toEqual([...compilation.files.keys()].sort());
    expect(files.filter((file) => output.get(file)?.toString('utf8') !== compilation.files.get(file))).toEqual([]);
    const manifest = JSON.parse(output.get(manifestFile)?.toString('utf8') ?? '{}') as { files?: Record<string, string> };
    const sha256 = (file: string) => createHash('sha256').update(output.get(file) ?? Buffer.alloc(0)).digest('hex');
    expect(manifest.files).toEqual(Object.fromEntries(files.map((file) => [file, sha256(file)])));
  });

  it('GIVEN the output WHEN read THEN it holds Schedules, BackupStorageLocations and VolumeSnapshotClasses for both clusters', () => {
    for (const kind of ['Schedule', 'BackupStorageLocation', 'VolumeSnapshotClass']) {
      expect(new Set(ofKind(kind).map((w) => w.cluster)), kind).toEqual(new Set(['prod-eu', 'dr-us']));
    }
  });
});

describe('example organisation: Schedules', () => {
  it('GIVEN every Schedule WHEN its TTL is parsed as a Go duration THEN it is count x tier period + the base interval of its policy, or (UTC) the TTL of the finer tier it stands in for when longer, or (a zone with daylight saving time) more', () => {
    expect(ofKind('Schedule').length).toBeGreaterThan(0);
    for (const w of ofKind('Schedule')) {
      const labels = w.object.metadata.labels ?? {};
      const policy = policies.get(labels[POLICY_LABEL] ?? '');
      const tier = labels[TIER_LABEL] as Tier;
      expect(policy, w.file).toBeDefined();
      if (!policy) continue;
      expect(w.object.metadata.name).toBe(`${policy.name}-${tier}`);
      const count = policy.retention[tier] ?? 0;
      const base = policy.scheduleOverride
        ? longestGap(unionOfRuns([policy.scheduleOverride], new Date('2026-01-05T00:00:00Z'), new Date('2027-02-10T00:00:00Z')))
        : expectedBaseInterval(policy.rpo.seconds, policy.retention);
      const ttl = parseGoDuration(scheduleSpec(w).template.ttl);
      const own = (t: Tier) => (policy.retention[t] ?? 0) * PERIOD[t] + base;
      const replaced = policy.schedules.find((s) => s.tier === tier)?.replaces ?? [];
      if (policy.timeZone) expect(ttl, w.file).toBeGreaterThanOrEqual(count * PERIOD[tier] + base);
      else expect(ttl, w.file).toBe(Math.max(count * PERIOD[tier] + base, ...replaced.map(own)));
    }
  });

  it('GIVEN every policy WHEN its Schedules are read THEN there is one per tier with a count above zero', () => {
    for (const policy of policies.values()) {
      const tiers = ofKind('Schedule')
        .filter((w) => w.object.metadata.labels?.[POLICY_LABEL] === policy.name)
        .map((w) => w.object.metadata.labels?.[TIER_LABEL]);
      expect(new Set(tiers), policy.name).toEqual(new Set(TIER_ORDER.filter((tier) => (policy.retention[tier] ?? 0) > 0)));
    }
  });

  it('GIVEN every policy WHEN the crons of its Schedules are parsed with cron-parser THEN each has five fields and together they run at least every RPO', () => {
    for (const policy of policies.values()) {
      const schedules = ofKind('Schedule').filter((w) => w.object.metadata.labels?.[POLICY_LABEL] === policy.name);
      const crons = schedules.map((w) => scheduleSpec(w).schedule);
      for (const cron of crons) expect(fieldCount(splitZone(cron).expression), cron).toBe(5);
      const longestPeriod = Math.max(...schedules.map((w) => PERIOD[w.object.metadata.labels?.[TIER_LABEL] as Tier]));
      const from = new Date('2026-01-05T00:00:00Z');
      const to = new Date(from.getTime() + Math.max(8 * DAY, 3 * longestPeriod) * 1000);
      expect(longestGap(unionOfRuns(crons, from, to)), `${policy.name}: ${crons.join(' | ')}`).toBeLessThanOrEqual(policy.rpo.seconds);
    }
  });

  it('GIVEN every Schedule WHEN its template is read THEN it sets the Backup labels itself, so Velero never copies the Schedule labels', () => {
    for (const w of ofKind('Schedule')) {
      const labels = scheduleSpec(w).template.metadata?.labels ?? {};
      expect(labels[POLICY_LABEL], w.file).toBe(w.object.metadata.labels?.[POLICY_LABEL]);
      expect(labels[TIER_LABEL], w.file).toBe(w.object.metadata.labels?.[TIER_LABEL]);
    }
  });

  it('GIVEN every Schedule WHEN its labels and template are read THEN no label of the Schedule or its Backups, nor any annotation of the Backups, is an Argo CD one or app.kubernetes.io/instance', () => {
    const forbidden = (key: string): boolean => key.startsWith('argocd.argoproj.io/') || key === 'app.kubernetes.io/instance';
    for (const w of ofKind('Schedule')) {
      const template = scheduleSpec(w).template.metadata;
      const keys = [
        ...Object.keys(w.object.metadata.labels ?? {}),
        ...Object.keys(template?.labels ?? {}),
        ...Object.keys(template?.annotations ?? {}),
      ];
      expect(keys.filter(forbidden), w.file).toEqual([]);
      expect(Object.keys(w.object.metadata.annotations ?? {}), w.file).not.toContain('app.kubernetes.io/instance');
    }
  });

  // Velero copies every annotation of a Schedule onto each Backup it creates, so an annotation here
  // ends up on every Backup. Schedules sit in Argo CD's default wave (0) anyway.
  it('GIVEN every Schedule WHEN its annotations are read THEN none is an argocd.argoproj.io/* annotation', () => {
    for (const w of ofKind('Schedule')) {
      const argo = Object.keys(w.object.metadata.annotations ?? {}).filter((key) => key.startsWith('argocd.argoproj.io/'));
      expect(argo, w.file).toEqual([]);
    }
  });
});

describe('example organisation: names and layout', () => {
  it('GIVEN every object WHEN keyed by cluster, kind, namespace and name THEN no two are the same', () => {
    const keys = written.map((w) => `${w.cluster ?? w.file}|${w.object.apiVersion}|${w.object.kind}|${w.object.metadata.namespace ?? ''}|${w.object.metadata.name}`);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it('GIVEN every Schedule WHEN named THEN its name is unique in the whole organisation', () => {
    const names = ofKind('Schedule').map((w) => w.object.metadata.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('GIVEN every object of a cluster folder WHEN its path is read THEN it is clusters/<cluster>/<namespace or _cluster>/<kind>-<name>.yaml', () => {
    for (const w of written.filter((x) => x.cluster !== undefined)) {
      const { kind, metadata } = w.object;
      expect(w.file).toBe(`clusters/${w.cluster}/${metadata.namespace ?? '_cluster'}/${kind.toLowerCase()}-${metadata.name}.yaml`);
    }
  });
});

describe('example organisation: storage locations', () => {
  it('GIVEN each cluster WHEN its BackupStorageLocations are read THEN exactly one is the default, and it is writable', () => {
    for (const cluster of ['prod-eu', 'dr-us']) {
      const defaults = ofKind('BackupStorageLocation').filter((w) => w.cluster === cluster && w.object.spec?.default === true);
      expect(
        defaults.map((w) => w.object.metadata.name),
        cluster,
      ).toHaveLength(1);
      expect(defaults[0]?.object.spec?.accessMode).toBe('ReadWrite');
    }
  });

  it("GIVEN dr-us WHEN its eu-backups location is read THEN it is ReadOnly (the DR side never writes or deletes in production's bucket)", () => {
    const location = ofKind('BackupStorageLocation').find((w) => w.cluster === 'dr-us' && w.object.metadata.name === 'eu-backups');
    expect(location?.object.spec?.accessMode).toBe('ReadOnly');
    expect(location?.object.spec?.default).toBeUndefined();
  });

  it('GIVEN every Schedule WHEN its storage location is read THEN it is a writable location of its own cluster', () => {
    for (const w of ofKind('Schedule')) {
      const name = scheduleSpec(w).template.storageLocation;
      const location = ofKind('BackupStorageLocation').find((l) => l.cluster === w.cluster && l.object.metadata.name === name);
      expect(location?.object.spec?.accessMode, w.file).toBe('ReadWrite');
    }
  });
});

describe('example organisation: strict validation against the real CRDs', () => {
  it('GIVEN every velero.io and snapshot.storage.k8s.io object WHEN validated strictly against the reference CRD THEN there are no errors', () => {
    const checked = written.filter((w) => /^(velero\.io|snapshot\.storage\.k8s\.io)\//.test(w.object.apiVersion));
    expect(checked.map((w) => w.object.kind)).toEqual(expect.arrayContaining(['Schedule', 'BackupStorageLocation', 'VolumeSnapshotClass']));
    const problems = checked.flatMap((w) => validateAgainstReferenceCrds(w.object).map((problem) => `${w.file}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it('GIVEN a Schedule with a misspelt field WHEN validated strictly THEN the validator rejects it (the check above can fail)', () => {
    const schedule = ofKind('Schedule')[0]?.object;
    const broken = { ...schedule, spec: { ...schedule?.spec, scheduel: '0 * * * *' } };
    expect(validateAgainstReferenceCrds(broken).join('\n')).toMatch(/scheduel/);
  });
});
