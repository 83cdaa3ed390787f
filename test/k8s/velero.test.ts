import { describe, expect, it } from 'vitest';
import { validationErrors } from '../../src/k8s/validation.ts';
import {
  Backup,
  BackupStorageLocation,
  DeleteBackupRequest,
  type IBackup,
  type IBackupSpec,
  type IBackupStorageLocation,
  type IDeleteBackupRequest,
  type IRestore,
  type ISchedule,
  type IVolumeSnapshotLocation,
  Restore,
  Schedule,
  VolumeSnapshotLocation,
  backupSchema,
  backupStorageLocationSchema,
  deleteBackupRequestSchema,
  restoreSchema,
  scheduleSchema,
  volumeSnapshotLocationSchema,
} from '../../src/k8s/velero/index.ts';
import { loadCrdValidator } from '../support/crd.ts';
import { type KindCase, describeKinds, setAt } from './kind-cases.ts';

const backupSpec: IBackupSpec = {
  metadata: { labels: { 'restorable.dev/policy': 'orders' } },
  includedNamespaces: ['orders', 'payments'],
  excludedNamespaces: ['kube-system'],
  includedClusterScopedResources: ['persistentvolumes', 'storageclasses.storage.k8s.io'],
  excludedClusterScopedResources: ['nodes'],
  includedNamespaceScopedResources: ['*'],
  excludedNamespaceScopedResources: ['events', 'events.events.k8s.io'],
  labelSelector: {
    matchLabels: { 'app.kubernetes.io/part-of': 'shop' },
    matchExpressions: [{ key: 'tier', operator: 'In', values: ['db', 'cache'] }],
  },
  snapshotVolumes: true,
  ttl: '720h0m0s',
  storageLocation: 'primary',
  volumeSnapshotLocations: ['csi-default'],
  defaultVolumesToFsBackup: false,
  snapshotMoveData: true,
  datamover: 'velero',
  hooks: {
    resources: [
      {
        name: 'postgres-freeze',
        includedNamespaces: ['orders'],
        excludedNamespaces: ['sandbox'],
        includedResources: ['pods'],
        excludedResources: ['jobs'],
        labelSelector: { matchLabels: { app: 'postgres' } },
        pre: [
          {
            exec: {
              container: 'postgres',
              command: ['/bin/sh', '-c', 'psql -c "CHECKPOINT"'],
              onError: 'Fail',
              timeout: '2m',
            },
          },
        ],
        post: [{ exec: { command: ['/bin/true'], onError: 'Continue' } }],
      },
    ],
  },
  orderedResources: { pods: 'orders/postgres-0,orders/postgres-1' },
  resourcePolicy: { kind: 'configmap', name: 'orders-resource-policy' },
  csiSnapshotTimeout: '10m',
  itemOperationTimeout: '4h',
  uploaderConfig: { parallelFilesUpload: 4 },
  volumeGroupSnapshotLabelKey: 'restorable.dev/group',
};

const schedule: ISchedule = {
  apiVersion: 'velero.io/v1',
  kind: 'Schedule',
  metadata: {
    name: 'orders-daily',
    namespace: 'velero',
    labels: { 'app.kubernetes.io/managed-by': 'restorable' },
    annotations: { 'restorable.dev/source': 'policies/orders.ts' },
  },
  spec: {
    schedule: '0 2 * * *',
    template: backupSpec,
    useOwnerReferencesInBackup: false,
    paused: false,
    skipImmediately: true,
  },
};

/** An old-style (includedResources / includeClusterResources) template; the CRD also allows it. */
const legacySchedule: ISchedule = {
  ...schedule,
  metadata: { name: 'legacy', namespace: 'velero' },
  spec: {
    schedule: '@every 6h',
    template: {
      includedResources: ['deployments', 'configmaps'],
      excludedResources: ['secrets'],
      includeClusterResources: false,
      orLabelSelectors: [{ matchLabels: { app: 'a' } }, { matchLabels: { app: 'b' } }],
      ttl: '168h',
    },
  },
};

const bsl: IBackupStorageLocation = {
  apiVersion: 'velero.io/v1',
  kind: 'BackupStorageLocation',
  metadata: { name: 'primary', namespace: 'velero', labels: { 'app.kubernetes.io/managed-by': 'restorable' } },
  spec: {
    provider: 'aws',
    objectStorage: {
      bucket: 'shop-backups',
      prefix: 'prod/eu-west-1',
      caCert: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64'),
    },
    config: { region: 'eu-west-1', s3ForcePathStyle: 'true', s3Url: 'https://minio.example.com' },
    credential: { name: 'velero-s3', key: 'cloud' },
    default: true,
    accessMode: 'ReadWrite',
    backupSyncPeriod: '1m',
    validationFrequency: '1h',
  },
};

const vsl: IVolumeSnapshotLocation = {
  apiVersion: 'velero.io/v1',
  kind: 'VolumeSnapshotLocation',
  metadata: { name: 'csi-default', namespace: 'velero' },
  spec: {
    provider: 'aws',
    config: { region: 'eu-west-1', profile: 'default' },
    credential: { name: 'velero-ebs', key: 'cloud', optional: false },
  },
};

const backup: IBackup = {
  apiVersion: 'velero.io/v1',
  kind: 'Backup',
  metadata: { name: 'orders-before-upgrade', namespace: 'velero', labels: { 'velero.io/storage-location': 'primary' } },
  spec: backupSpec,
};

const restore: IRestore = {
  apiVersion: 'velero.io/v1',
  kind: 'Restore',
  metadata: { name: 'orders-drill', namespace: 'velero' },
  spec: {
    backupName: 'orders-daily-20240101020000',
    includedNamespaces: ['orders'],
    excludedNamespaces: ['kube-system'],
    includedResources: ['*'],
    excludedResources: ['nodes', 'events'],
    namespaceMapping: { orders: 'orders-drill' },
    labelSelector: { matchExpressions: [{ key: 'restorable.dev/skip', operator: 'DoesNotExist' }] },
    restorePVs: true,
    preserveNodePorts: false,
    existingResourcePolicy: 'update',
    includeClusterResources: true,
    hooks: {
      resources: [
        {
          name: 'postgres-checks',
          includedNamespaces: ['orders-drill'],
          excludedNamespaces: ['sandbox'],
          includedResources: ['pods'],
          excludedResources: ['jobs'],
          labelSelector: { matchLabels: { app: 'postgres' } },
          postHooks: [
            {
              exec: {
                container: 'postgres',
                command: ['/bin/sh', '-c', 'pg_isready'],
                onError: 'Fail',
                execTimeout: '1m',
                waitTimeout: '5m',
                waitForReady: true,
              },
            },
            {
              init: {
                initContainers: [
                  {
                    name: 'seed',
                    image: 'busybox:1.36',
                    command: ['/bin/sh', '-c'],
                    args: ['touch /data/.restored'],
                    env: [{ name: 'MODE', value: 'drill' }],
                    volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: false }],
                  },
                ],
                timeout: '10m',
              },
            },
          ],
        },
      ],
    },
    resourceModifier: { kind: 'configmap', name: 'orders-modifiers' },
    restoreStatus: { includedResources: ['workflows.argoproj.io'], excludedResources: [] },
    itemOperationTimeout: '4h',
    uploaderConfig: { parallelFilesDownload: 8, writeSparseFiles: true },
  },
};

/** A restore of a schedule's latest backup, with or-selectors instead of a label selector. */
const scheduleRestore: IRestore = {
  apiVersion: 'velero.io/v1',
  kind: 'Restore',
  metadata: { name: 'orders-latest', namespace: 'velero' },
  spec: {
    scheduleName: 'orders-daily',
    orLabelSelectors: [{ matchLabels: { app: 'a' } }, { matchLabels: { app: 'b' } }],
    existingResourcePolicy: 'none',
  },
};

const deleteRequest: IDeleteBackupRequest = {
  apiVersion: 'velero.io/v1',
  kind: 'DeleteBackupRequest',
  metadata: { name: 'orders-daily-20240101020000-delete', namespace: 'velero' },
  spec: { backupName: 'orders-daily-20240101020000' },
};

const cases: readonly KindCase[] = [
  {
    kind: 'Schedule',
    crdFile: 'velero/velero.io_schedules.yaml',
    schema: scheduleSchema,
    examples: [schedule, legacySchedule],
    modelValidate: (o) => new Schedule(o as ISchedule).validate(),
    misspelt: { parent: 'spec.template', field: 'ttlx' },
    stringField: 'spec.template.ttl',
  },
  {
    kind: 'BackupStorageLocation',
    crdFile: 'velero/velero.io_backupstoragelocations.yaml',
    schema: backupStorageLocationSchema,
    examples: [bsl],
    modelValidate: (o) => new BackupStorageLocation(o as IBackupStorageLocation).validate(),
    misspelt: { parent: 'spec.objectStorage', field: 'buckett' },
    stringField: 'spec.objectStorage.bucket',
  },
  {
    kind: 'VolumeSnapshotLocation',
    crdFile: 'velero/velero.io_volumesnapshotlocations.yaml',
    schema: volumeSnapshotLocationSchema,
    examples: [vsl],
    modelValidate: (o) => new VolumeSnapshotLocation(o as IVolumeSnapshotLocation).validate(),
    misspelt: { parent: 'spec', field: 'providr' },
    stringField: 'spec.provider',
  },
  {
    kind: 'Backup',
    crdFile: 'velero/velero.io_backups.yaml',
    schema: backupSchema,
    examples: [backup, { ...backup, spec: legacySchedule.spec.template }],
    modelValidate: (o) => new Backup(o as IBackup).validate(),
    misspelt: { parent: 'spec.hooks', field: 'resource' },
    stringField: 'spec.storageLocation',
  },
  {
    kind: 'Restore',
    crdFile: 'velero/velero.io_restores.yaml',
    schema: restoreSchema,
    examples: [restore, scheduleRestore],
    modelValidate: (o) => new Restore(o as IRestore).validate(),
    misspelt: { parent: 'spec', field: 'restorePv' },
    stringField: 'spec.backupName',
  },
  {
    kind: 'DeleteBackupRequest',
    crdFile: 'velero/velero.io_deletebackuprequests.yaml',
    schema: deleteBackupRequestSchema,
    examples: [deleteRequest],
    modelValidate: (o) => new DeleteBackupRequest(o as IDeleteBackupRequest).validate(),
    misspelt: { parent: 'spec', field: 'backup' },
    stringField: 'spec.backupName',
  },
];

describeKinds('velero.io/v1', cases);

describe('velero.io/v1 models', () => {
  it('GIVEN a Schedule built from data WHEN serialised THEN apiVersion and kind are filled in and nothing undefined leaks', () => {
    const s = new Schedule({ metadata: { name: 'n' }, spec: { schedule: '@daily', template: { ttl: undefined } } });
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: { name: 'n' },
      spec: { schedule: '@daily', template: {} },
    });
    expect(Object.keys(s)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(Schedule.is(s)).toBe(true);
    expect(Schedule.is(bsl)).toBe(false);
  });

  it('GIVEN a ttl with a day unit WHEN validated THEN the project schema rejects it although the CRD takes any string', () => {
    const bad = setAt(schedule, 'spec.template.ttl', '30d');
    expect(validationErrors(scheduleSchema, bad)).toEqual([
      'spec.template.ttl: "30d" does not match the pattern "^(0|([0-9]+(\\\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$"',
    ]);
  });

  it('GIVEN a Schedule without spec.template WHEN validated THEN the model throws naming the object', () => {
    const bad = { metadata: { name: 'broken' }, spec: { schedule: '@daily' } } as unknown as ISchedule;
    expect(() => new Schedule(bad).validate()).toThrow(
      'velero.io/v1 Schedule "broken" is invalid:\n  spec: missing required field "template"',
    );
  });

  it('GIVEN a caCert that is not base64 WHEN validated THEN both schemas reject it', () => {
    const bad = setAt(bsl, 'spec.objectStorage.caCert', 'not base64!');
    expect(validationErrors(backupStorageLocationSchema, bad)).toEqual([
      'spec.objectStorage.caCert: "not base64!" is not a valid byte',
    ]);
    expect(loadCrdValidator('velero/velero.io_backupstoragelocations.yaml')(bad)).toEqual([
      'spec.objectStorage.caCert: "not base64!" is not a valid byte',
    ]);
  });
});
