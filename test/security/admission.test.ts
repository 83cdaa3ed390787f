/**
 * The admission policies on Jobs in Velero's namespace, as compiled: every policy bound, each
 * CronJob's binding scoped to the Jobs that claim to come from it, and ADM001 failing the build
 * when a policy is unbound or a binding names no policy. What the API server does with them is
 * proven in test/e2e/sync-and-admission.e2e.test.ts (real kube-apiserver).
 */
import { describe, expect, it } from 'vitest';
import { JOB_TEMPLATE_LABEL } from '../../src/lower/labels.ts';
import { lower } from '../../src/lower/index.ts';
import type { PlacedObject } from '../../src/output/layout.ts';
import { admissionRule } from '../../src/rules/admission.ts';
import { declarationsOf, modelOf, planOrg } from '../plans/support.ts';

/** The few fields these tests read, loosely typed (compiled objects are plain JSON). */
interface Json {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  // biome-ignore lint/suspicious/noExplicitAny: test reads of nested compiled JSON
  readonly spec: any;
}

const model = modelOf(declarationsOf(planOrg({ ledger: { access: { restore: ['group:payments-oncall'], backup: ['group:payments'] } } })));
const placed = lower(model);
const objects = placed.map((p) => p.object as unknown as Json);
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
const named = (kind: string, name: string): Json => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

describe('Jobs in Velero namespace: the compiled admission policies', () => {
  it('GIVEN every restorable CronJob WHEN read THEN its jobTemplate carries the job-template label naming itself and its ServiceAccount', () => {
    const cronJobs = ofKind('CronJob');
    expect(cronJobs.map((c) => c.metadata.name).sort()).toEqual(['backup-ledger', 'drill-ledger-dr', 'restore-ledger-dr']);
    for (const cronJob of cronJobs) {
      expect(cronJob.spec.jobTemplate.metadata.labels[JOB_TEMPLATE_LABEL]).toBe(cronJob.metadata.name);
      expect(cronJob.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe(cronJob.metadata.name);
    }
  });

  it('GIVEN each CronJob WHEN its job-template binding is read THEN it selects only Jobs labelled as coming from that CronJob', () => {
    for (const cronJob of ofKind('CronJob')) {
      const binding = named('ValidatingAdmissionPolicyBinding', `restorable-job-template-${cronJob.metadata.name}`);
      expect(binding.spec.paramRef.name).toBe(cronJob.metadata.name);
      expect(binding.spec.matchResources).toEqual({ objectSelector: { matchLabels: { [JOB_TEMPLATE_LABEL]: cronJob.metadata.name } } });
    }
  });

  it('GIVEN the Job policies WHEN read THEN they match CREATE only, and the human-jobs policy is bound and reads the ServiceAccount behind has()', () => {
    for (const name of ['restorable-job-template', 'restorable-human-jobs']) {
      expect(named('ValidatingAdmissionPolicy', name).spec.matchConstraints.resourceRules[0].operations).toEqual(['CREATE']);
    }
    expect(named('ValidatingAdmissionPolicyBinding', 'restorable-human-jobs').spec).toEqual({ policyName: 'restorable-human-jobs', validationActions: ['Deny'] });
    const human = named('ValidatingAdmissionPolicy', 'restorable-human-jobs');
    expect(human.spec.variables[0].expression).toMatch(/^has\(object\.spec\.template\.spec\.serviceAccountName\)/);
    expect(human.spec.validations[0].expression).toContain(`object.metadata.labels['${JOB_TEMPLATE_LABEL}'] == variables.account`);
  });
});

describe('ADM001: admission policies the API server really evaluates', () => {
  it('GIVEN the compiled organisation WHEN checked THEN every policy is bound and every binding names a policy', () => {
    expect(admissionRule.check(placed, model)).toEqual([]);
  });

  it('GIVEN a policy whose binding is missing WHEN checked THEN ADM001 names the policy and the cluster', () => {
    const withoutBinding = placed.filter((p: PlacedObject) => !(p.cluster === 'prod' && p.object.kind === 'ValidatingAdmissionPolicyBinding' && (p.object.metadata as { name?: string }).name === 'restorable-human-jobs'));
    const found = admissionRule.check(withoutBinding, model);
    expect(found.map((d) => [d.code, d.severity, d.object?.name])).toEqual([['ADM001', 'error', 'restorable-human-jobs']]);
    expect(found[0]!.message).toBe('prod: ValidatingAdmissionPolicy restorable-human-jobs: has no ValidatingAdmissionPolicyBinding, so the API server never evaluates it');
  });

  it('GIVEN a binding whose policy is emitted on another cluster only WHEN checked THEN ADM001 names the binding', () => {
    const policy = placed.find((p) => p.cluster === 'prod' && p.object.kind === 'ValidatingAdmissionPolicy' && (p.object.metadata as { name?: string }).name === 'restorable-job-template')!;
    const moved = placed.filter((p) => p !== policy).concat({ ...policy, cluster: 'elsewhere' });
    const found = admissionRule.check(moved, model).map((d) => `${d.code} ${d.message}`);
    expect(found).toContain('ADM001 prod: ValidatingAdmissionPolicyBinding restorable-job-template-backup-ledger: binds "restorable-job-template", which is not a ValidatingAdmissionPolicy of this cluster');
    expect(found).toContain('ADM001 elsewhere: ValidatingAdmissionPolicy restorable-job-template: has no ValidatingAdmissionPolicyBinding, so the API server never evaluates it');
  });
});

describe('who may start a restorable CronJob, and what its Job may differ in', () => {
  it('GIVEN the runner and the on-demand backup WHEN read THEN each names its groups in the run-by annotation; the drill names nobody', () => {
    expect((named('CronJob', 'restore-ledger-dr') as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.['restorable.dev/run-by']).toBe('group:payments-oncall');
    expect((named('CronJob', 'backup-ledger') as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.['restorable.dev/run-by']).toBe('group:payments');
    expect((named('CronJob', 'drill-ledger-dr') as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.['restorable.dev/run-by']).toBeUndefined();
  });

  it('GIVEN every CronJob WHEN read THEN its jobTemplate states one pod and one completion, so a Job can be compared field by field', () => {
    for (const cronJob of ofKind('CronJob')) {
      expect(cronJob.spec.jobTemplate.spec.parallelism).toBe(1);
      expect(cronJob.spec.jobTemplate.spec.completions).toBe(1);
    }
  });

  it('GIVEN the job-template policy WHEN read THEN it checks the requesting user, the pod spec with the Job-level fields, and the pod labels', () => {
    const validations = named('ValidatingAdmissionPolicy', 'restorable-job-template').spec.validations as { expression: string }[];
    expect(validations.map((v) => v.expression)).toEqual([
      expect.stringContaining("variables.runBy.exists(s, s == 'user:' + request.userInfo.username"),
      expect.stringMatching(/^dyn\(object\.spec\.template\.spec\) == dyn\(params\.spec\.jobTemplate\.spec\.template\.spec\) && .*parallelism.*completions.*backoffLimit.*activeDeadlineSeconds/),
      expect.stringContaining("'batch.kubernetes.io/controller-uid'"),
    ]);
  });
});
