import { describe, expect, it } from 'vitest';
import {
  type AppProfile,
  csi,
  type DurationString,
  execHooks,
  mongodb,
  mysql,
  postgres,
  redis,
  restorePlan,
  type VolumeMode,
} from '../../src/dsl/index.ts';
import { lower } from '../../src/lower/index.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { JsonValue } from '../../src/output/normalize.ts';
import type { PlacedObject } from '../../src/output/layout.ts';
import { checkModel } from '../../src/rules/index.ts';
import { checkObjects } from '../../src/rules/objects.ts';
import { build, clusterWith, errorCodes, policy, schedules, storage } from './support.ts';

const eu = storage('eu');
const us = storage('us', { region: 'us-east-1' });
const prod = clusterWith('prod', [eu]);
const dr = clusterWith('dr', [us, eu]);

/** The diagnostics of one code. */
const withCode = (diagnostics: readonly Diagnostic[], code: string) => diagnostics.filter((d) => d.code === code);

/** A typed value the type system would refuse, as a JavaScript policy file could still pass it. */
function untyped<T>(value: unknown): T {
  return value as T;
}

const app = (props: Partial<Parameters<typeof execHooks>[0]> = {}): AppProfile =>
  execHooks({ name: 'queue', selector: { app: 'queue' }, pre: [['queue-ctl', 'flush']], ...props });

function appDiagnostics(apps: readonly AppProfile[]): readonly Diagnostic[] {
  return build([eu, prod, policy('ledger', prod, { apps })]).diagnostics;
}

describe('APP001: distinct application profile names', () => {
  it('GIVEN two profiles named alike WHEN checked THEN APP001 points at the second one', () => {
    const found = withCode(appDiagnostics([app(), app({ selector: { app: 'other' } })]), 'APP001');

    expect(found.map((d) => [d.severity, d.declaration, d.path])).toEqual([['error', 'ledger', 'apps[1].name']]);
    expect(found[0]?.message).toContain('"queue"');
  });

  it('GIVEN profiles with distinct names WHEN checked THEN there is no APP001', () => {
    const apps = [app(), app({ name: 'cache' }), postgres({ selector: { app: 'db' }, database: 'ledger', dumpDir: '/d' }), redis({ selector: { app: 'r' }, dumpDir: '/d' })];

    expect(withCode(appDiagnostics(apps), 'APP001')).toEqual([]);
  });
});

describe('APP002: a selector that selects', () => {
  it('GIVEN a profile with an empty selector WHEN checked THEN APP002 names its selector', () => {
    const found = withCode(appDiagnostics([app({ selector: {} })]), 'APP002');

    expect(found.map((d) => [d.severity, d.path])).toEqual([['error', 'apps[0].selector']]);
  });

  it('GIVEN profiles with selectors WHEN checked THEN there is no APP002', () => {
    expect(withCode(appDiagnostics([app(), mysql({ selector: { app: 'db' }, database: 'shop', dumpDir: '/d' })]), 'APP002')).toEqual([]);
  });
});

describe('APP003: finite hook timeouts', () => {
  it('GIVEN a hook timeout that is not a duration WHEN checked THEN APP003 names apps[i].timeout', () => {
    const found = withCode(appDiagnostics([app({ hookTimeout: untyped<DurationString>('ten minutes') })]), 'APP003');

    expect(found.map((d) => [d.severity, d.path])).toEqual([['error', 'apps[0].timeout']]);
    expect(found[0]?.message).toContain('"ten minutes"');
  });

  it('GIVEN restore hooks with a zero wait and a missing exec timeout WHEN checked THEN APP003 names both', () => {
    const restore = [{ command: ['ready'], waitTimeout: untyped<DurationString>('0s'), execTimeout: untyped<DurationString>(undefined) }];

    const found = withCode(appDiagnostics([app({ restore })]), 'APP003');

    expect(found.map((d) => d.path)).toEqual(['apps[0].restore[0].waitTimeout', 'apps[0].restore[0].execTimeout']);
  });

  it('GIVEN every built-in profile and valid hand-written timeouts WHEN checked THEN there is no APP003', () => {
    const apps = [
      postgres({ selector: { app: 'pg' }, database: 'ledger', dumpDir: '/d' }),
      mongodb({ selector: { app: 'mongo' }, dumpDir: '/d', timeout: '1h' }),
      app({ hookTimeout: '90s', restore: [{ command: ['ready'], waitTimeout: '10m', execTimeout: '1m' }] }),
    ];

    expect(withCode(appDiagnostics(apps), 'APP003')).toEqual([]);
  });
});

describe('APP004: hook commands are lists of strings', () => {
  it('GIVEN an apps entry that is undefined, beside a profile with a dump WHEN checked THEN APP004 names it and every other rule passes over it', () => {
    const dump = postgres({ name: 'db', selector: { app: 'db' }, dumpDir: '/var/lib/postgresql/dump', database: 'ledger', dataSize: '1Ti' });
    // Checked as synth checks a model with errors: resolved and checked, never lowered.
    const { model, diagnostics } = resolve([eu, prod, policy('ledger', prod, { apps: [untyped<AppProfile>(undefined), dump] })]);
    const found = [...diagnostics, ...checkModel(model)];

    expect(withCode(found, 'APP004').map((d) => d.path)).toEqual(['apps[0]']);
    expect(withCode(found, 'RPO002').map((d) => d.path)).toEqual(['apps[1].dataSize']);
  });

  it('GIVEN an empty pre command and a post command holding a number WHEN checked THEN APP004 is reported for each', () => {
    const found = withCode(appDiagnostics([app({ pre: [[]], post: [untyped<string[]>(['queue-ctl', 3])] })]), 'APP004');

    expect(found.map((d) => [d.severity, d.path])).toEqual([
      ['error', 'apps[0]'],
      ['error', 'apps[0]'],
    ]);
  });

  it('GIVEN argument vectors WHEN checked THEN there is no APP004', () => {
    expect(withCode(appDiagnostics([app({ post: [['queue-ctl', 'resume']] })]), 'APP004')).toEqual([]);
  });

  // Regression guard (was a bug in src/rules/apps.ts checkApps): APP004 checks only `pre` and `post`; a restore hook with an
  // empty command (or a non-string argument) passes every rule, although restore hooks are exec
  // hooks too and Velero cannot run an empty command.
  it('GIVEN a restore hook with an empty command WHEN checked THEN APP004 is reported', () => {
    const restore = [{ command: [], waitTimeout: '1m' as const, execTimeout: '1m' as const }];

    expect(withCode(appDiagnostics([app({ restore })]), 'APP004')).toHaveLength(1);
  });
});

describe('VOL001: capacity ranges', () => {
  function capacityDiagnostics(...capacities: string[]): readonly Diagnostic[] {
    const volumePolicies = capacities.map((capacity) => ({ conditions: { capacity }, action: 'skip' as const }));
    return withCode(build([eu, prod, policy('search', prod, { volumePolicies })]).diagnostics, 'VOL001');
  }

  it('GIVEN capacities that are not min,max ranges WHEN checked THEN VOL001 names each one', () => {
    const found = capacityDiagnostics('10Gi', 'ten,twenty', '0-10Gi', '0,10Gi,20Gi');

    expect(found.map((d) => [d.severity, d.path])).toEqual([
      ['error', 'volumePolicies[0].conditions.capacity'],
      ['error', 'volumePolicies[1].conditions.capacity'],
      ['error', 'volumePolicies[2].conditions.capacity'],
      ['error', 'volumePolicies[3].conditions.capacity'],
    ]);
  });

  it('GIVEN ranges of quantities, open at either end WHEN checked THEN there is no VOL001', () => {
    expect(capacityDiagnostics('0,10Gi', '500Gi,', ',1Ti', '1.5Gi,2G', '100,2000')).toEqual([]);
  });

  // Regression guard (was a bug in src/rules/apps.ts CAPACITY): the quantity pattern `[KMGTPE]i?` is not Kubernetes'. Velero
  // parses each bound with resource.ParseQuantity, where the decimal kilo suffix is a lower-case
  // `k` and there is no upper-case `K`: '0,10K' passes VOL001 and then fails every backup's
  // resource-policy validation, while the valid '0,500k' is rejected.
  it('GIVEN a capacity with the upper-case K suffix Kubernetes does not know WHEN checked THEN VOL001 is reported', () => {
    expect(capacityDiagnostics('0,10K')).toHaveLength(1);
  });

  it('GIVEN a capacity with the decimal kilo suffix k WHEN checked THEN there is no VOL001', () => {
    expect(capacityDiagnostics('0,500k')).toEqual([]);
  });
});

describe('PLAN001: portable volume data for restores into another cluster', () => {
  function planDiagnostics(volumes: VolumeMode, to = dr): readonly Diagnostic[] {
    const ledger = policy('ledger', prod, { volumes });
    const plan = restorePlan('ledger-region-loss', { from: ledger, to, scenario: 'region-loss', rto: '1h' });
    return withCode(build([eu, us, prod, dr, ledger, policy('obs', dr, { storage: us }), plan]).diagnostics, 'PLAN001');
  }

  for (const volumes of ['csi-snapshot', 'native-snapshot'] as const) {
    it(`GIVEN a ${volumes} policy restored into another cluster WHEN checked THEN PLAN001 names the plan's from`, () => {
      const found = planDiagnostics(volumes);

      expect(found.map((d) => [d.severity, d.declaration, d.path])).toEqual([['error', 'ledger-region-loss', 'from']]);
      expect(found[0]?.message).toContain(volumes);
    });
  }

  for (const volumes of ['snapshot-data-mover', 'filesystem', 'none'] as const) {
    it(`GIVEN a ${volumes} policy restored into another cluster WHEN checked THEN there is no PLAN001`, () => {
      expect(planDiagnostics(volumes)).toEqual([]);
    });
  }

  it('GIVEN a csi-snapshot policy restored into its own cluster WHEN checked THEN there is no PLAN001', () => {
    expect(planDiagnostics('csi-snapshot', prod)).toEqual([]);
  });

  it('GIVEN a plan from two policies, the second not portable WHEN checked THEN PLAN001 points at from[1]', () => {
    const moved = policy('moved', prod, { volumes: 'snapshot-data-mover' });
    const local = policy('local', prod, { volumes: 'csi-snapshot' });
    const plan = restorePlan('both', { from: [moved, local], to: dr, scenario: 'cluster-loss', rto: '1h' });

    const found = withCode(build([eu, us, prod, dr, moved, local, plan]).diagnostics, 'PLAN001');

    expect(found.map((d) => d.path)).toEqual(['from[1]']);
  });
});

/** A valid organisation touching every backend: classes, locations, snapshot locations, policies, alerts. */
function validOrganisation() {
  const watched = clusterWith('prod', [eu, us], {
    monitoring: 'prometheus-operator',
    snapshotClasses: [csi({ driver: 'ebs.csi.aws.com' }), csi({ driver: 'efs.csi.aws.com' })],
  });
  // dr writes to a bucket of its own: two clusters backing up into one place is STO007.
  const own = storage('dr-own', { region: 'us-east-1' });
  const standby = clusterWith('dr', [own, us, eu], { veleroNamespace: 'backup-system' });
  return build([
    eu,
    us,
    own,
    watched,
    standby,
    policy('ledger', watched, {
      volumes: 'snapshot-data-mover',
      selector: { matchLabels: { tier: 'data' } },
      apps: [postgres({ selector: { app: 'db' }, database: 'ledger', dumpDir: '/d' })],
      volumePolicies: [{ conditions: { storageClass: ['scratch'] }, action: 'skip' }],
    }),
    policy('disks', watched, { volumes: 'native-snapshot', storage: us }),
    policy('files', standby, { volumes: 'filesystem', storage: own, timeZone: 'Europe/Berlin' }),
  ]);
}

type Json = { [key: string]: JsonValue };

/** A deep copy of the lowered objects, one of them changed by `change`. */
function mutated(objects: readonly PlacedObject[], pick: (placed: PlacedObject) => boolean, change: (object: Json) => void): PlacedObject[] {
  const copy = structuredClone(objects) as PlacedObject[];
  const target = copy.find(pick);
  if (target === undefined) throw new Error('nothing to mutate');
  change(target.object);
  return copy;
}

const isKind = (kind: string) => (placed: PlacedObject) => placed.object.kind === kind;
const obj = (value: JsonValue | undefined): Json => value as Json;

describe('object rules VEL001-VEL007', () => {
  const valid = validOrganisation();

  it('GIVEN the lowered objects of a valid organisation WHEN checked THEN no rule fires', () => {
    expect(errorCodes(valid.diagnostics)).toEqual([]);
    expect(new Set(valid.objects.map((p) => p.object.kind))).toEqual(
      new Set(['VolumeSnapshotClass', 'BackupStorageLocation', 'VolumeSnapshotLocation', 'ConfigMap', 'Schedule', 'PrometheusRule', 'PodMonitor']),
    );
    expect(valid.objectDiagnostics).toEqual([]);
  });

  const cases: { code: string; given: string; pick: (placed: PlacedObject) => boolean; change: (object: Json) => void }[] = [
    {
      code: 'VEL001',
      given: 'a Schedule whose template has no labels',
      pick: isKind('Schedule'),
      change: (o) => {
        delete obj(obj(obj(o['spec'])['template'])['metadata'])['labels'];
      },
    },
    {
      code: 'VEL001',
      given: 'a Schedule whose template labels carry app.kubernetes.io/instance',
      pick: isKind('Schedule'),
      change: (o) => {
        obj(obj(obj(obj(o['spec'])['template'])['metadata'])['labels'])['app.kubernetes.io/instance'] = 'prod-backups';
      },
    },
    {
      code: 'VEL001',
      given: 'a Schedule whose template labels carry an argocd.argoproj.io key',
      pick: isKind('Schedule'),
      change: (o) => {
        obj(obj(obj(obj(o['spec'])['template'])['metadata'])['labels'])['argocd.argoproj.io/instance'] = 'prod-backups';
      },
    },
    {
      code: 'VEL002',
      given: 'a Schedule with useOwnerReferencesInBackup',
      pick: isKind('Schedule'),
      change: (o) => {
        obj(o['spec'])['useOwnerReferencesInBackup'] = false;
      },
    },
    {
      code: 'VEL003',
      given: 'a Schedule with both labelSelector and orLabelSelectors',
      pick: (p) => p.object.kind === 'Schedule' && obj(obj(p.object['spec'])['template'])['labelSelector'] !== undefined,
      change: (o) => {
        obj(obj(o['spec'])['template'])['orLabelSelectors'] = [{ matchLabels: { tier: 'cache' } }];
      },
    },
    {
      code: 'VEL004',
      given: 'a Schedule mixing includedResources with a scoped filter',
      pick: isKind('Schedule'),
      change: (o) => {
        const template = obj(obj(o['spec'])['template']);
        template['includedResources'] = ['persistentvolumeclaims'];
        template['excludedNamespaceScopedResources'] = ['events'];
      },
    },
    {
      code: 'VEL005',
      given: 'a BackupStorageLocation outside Velero namespace',
      pick: isKind('BackupStorageLocation'),
      change: (o) => {
        obj(o['metadata'])['namespace'] = 'default';
      },
    },
    {
      code: 'VEL005',
      given: 'a Schedule in the default Velero namespace on a cluster that moved it',
      pick: (p) => p.cluster === 'dr' && p.object.kind === 'Schedule',
      change: (o) => {
        obj(o['metadata'])['namespace'] = 'velero';
      },
    },
    {
      code: 'VEL006',
      given: 'a second default BackupStorageLocation on one cluster',
      pick: (p) => p.cluster === 'prod' && p.object.kind === 'BackupStorageLocation' && obj(p.object['spec'])['default'] !== true,
      change: (o) => {
        obj(o['spec'])['default'] = true;
      },
    },
    {
      code: 'VEL007',
      given: 'two Velero snapshot classes for one driver',
      pick: (p) => p.object.kind === 'VolumeSnapshotClass' && p.object['driver'] === 'efs.csi.aws.com',
      change: (o) => {
        o['driver'] = 'ebs.csi.aws.com';
      },
    },
  ];

  for (const { code, given, pick, change } of cases) {
    it(`GIVEN ${given} WHEN checked THEN exactly one ${code} names that object`, () => {
      const objects = mutated(valid.objects, pick, change);
      const target = objects.find((p, index) => JSON.stringify(p) !== JSON.stringify(valid.objects[index]));

      const found = checkObjects(objects, valid.model);

      expect(found.map((d) => [d.code, d.severity])).toEqual([[code, 'error']]);
      expect(found[0]?.object?.kind).toBe(target?.object.kind);
      expect(found[0]?.object?.name).toBe(obj(target?.object['metadata'])['name']);
    });
  }

  it('GIVEN default locations on two different clusters WHEN checked THEN there is no VEL006', () => {
    const objects = mutated(
      valid.objects,
      (p) => p.cluster === 'dr' && p.object.kind === 'BackupStorageLocation' && obj(p.object['spec'])['default'] !== true,
      (o) => {
        obj(o['spec'])['default'] = false;
      },
    );

    expect(withCode(checkObjects(objects, valid.model), 'VEL006')).toEqual([]);
  });

  it('GIVEN a second class for one driver without the Velero label WHEN checked THEN there is no VEL007', () => {
    const objects = mutated(
      valid.objects,
      (p) => p.object.kind === 'VolumeSnapshotClass' && p.object['driver'] === 'efs.csi.aws.com',
      (o) => {
        o['driver'] = 'ebs.csi.aws.com';
        delete obj(obj(o['metadata'])['labels'])['velero.io/csi-volumesnapshot-class'];
      },
    );

    expect(checkObjects(objects, valid.model)).toEqual([]);
  });

  // Regression guard (was a bug in src/model/resolve.ts resolveCluster + src/lower/snapshots.ts): two csi() classes for one
  // driver without explicit names get the same default name `velero-<driver>`, and lowering throws
  // cdk8s's "There is already a Construct with name 'VolumeSnapshotClass--_cluster--velero-ebs-csi-aws-com'"
  // before VEL007 (or any rule) can report the mistake.
  it('GIVEN a cluster declaring csi() twice for one driver WHEN compiled THEN a diagnostic reports it instead of a crash', () => {
    const twice = clusterWith('twice', [eu], { snapshotClasses: [csi({ driver: 'ebs.csi.aws.com' }), csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Delete' })] });
    const { model, diagnostics } = resolve([eu, twice, policy('a', twice)]);
    const errors = errorCodes([...diagnostics, ...checkModel(model)]);

    // Either a model rule reports it (compile stops before lowering) or lowering reaches VEL007.
    if (errors.length === 0) expect(withCode(checkObjects(lower(model), model), 'VEL007')).toHaveLength(1);
  });
});

describe('Argo CD tracking metadata never reaches Backups', () => {
  /** Labels Argo CD tracks by (label tracking, and any label of its own). */
  const TRACKING_LABEL = /^(app\.kubernetes\.io\/instance|argocd\.argoproj\.io\/.*)$/;
  /** Annotations Argo CD tracks by (annotation tracking). */
  const TRACKING_ANNOTATION = /^argocd\.argoproj\.io\/(tracking-id|instance)$/;

  it('GIVEN policies of every volume mode, with and without apps, selectors and time zones WHEN lowered THEN every Schedule sets template labels and carries no tracking key in its labels or annotations', () => {
    const modes: VolumeMode[] = ['csi-snapshot', 'snapshot-data-mover', 'native-snapshot', 'filesystem', 'none'];
    const built = build([
      eu,
      prod,
      ...modes.map((volumes, index) =>
        policy(`p-${volumes}`, prod, {
          volumes,
          // One policy with every tier; the others start at daily, which keeps the RPO rule's
          // 800-day analysis of a yearly tier cheap.
          rpo: index === 0 ? '1h' : '1d',
          retention: { hourly: index === 0 ? 24 : 0, daily: 7, weekly: 4, monthly: 12, yearly: 2 },
          timeZone: index % 2 === 0 ? 'America/New_York' : undefined,
          selector: index % 2 === 1 ? { matchLabels: { 'app.kubernetes.io/instance': 'shop' } } : undefined,
          apps: [redis({ selector: { 'app.kubernetes.io/instance': 'cache' }, dumpDir: '/d' })],
        }),
      ),
    ]);

    const found = schedules(built.objects);
    expect(found).toHaveLength(21);
    for (const schedule of found) {
      const templateLabels = schedule.spec.template.metadata?.labels ?? {};
      expect(Object.keys(templateLabels).length).toBeGreaterThan(0);
      expect(templateLabels['restorable.dev/policy']).toBe(schedule.metadata?.labels?.['restorable.dev/policy']);
      expect(templateLabels['restorable.dev/tier']).toBe(schedule.metadata?.labels?.['restorable.dev/tier']);
      // Velero copies every Schedule annotation onto each Backup, whatever the template says.
      for (const key of Object.keys(schedule.metadata?.annotations ?? {})) expect(key).not.toMatch(TRACKING_ANNOTATION);
      for (const key of [...Object.keys(templateLabels), ...Object.keys(schedule.metadata?.labels ?? {})]) expect(key).not.toMatch(TRACKING_LABEL);
      expect(schedule.spec.useOwnerReferencesInBackup).toBeUndefined();
    }
    expect(withCode(built.objectDiagnostics, 'VEL001')).toEqual([]);
  });
});
