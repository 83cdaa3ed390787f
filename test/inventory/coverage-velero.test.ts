/**
 * Coverage as Velero v1.18 backs up: selectors match each object's own labels, a selected pod adds
 * the claims it mounts, resource filters, volume policies, snapshot classes and file-system backup
 * decide whether a claim's data is captured. Each way of losing data has its own code.
 */
import { describe, expect, it } from 'vitest';
import { type BackupPolicyProps, backupPolicy, cluster, csi, type Declaration, gcsStorage, s3Storage, sealed } from '../../src/index.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import { checkCoverage } from '../../src/rules/coverage.ts';
import { data, GIB, inventory } from './inventory-builders.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

const storage = s3Storage('eu-backups', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
const prodEu = cluster('prod-eu', { environment: 'production', storage: [storage], snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Retain' })] });

function policy(name: string, props: Partial<BackupPolicyProps> = {}) {
  return backupPolicy(name, { cluster: prodEu, rpo: '1h', retention: { daily: 7 }, volumes: 'csi-snapshot', ...props });
}

const modelOf = (...declarations: Declaration[]): Model => resolve([storage, prodEu, ...declarations]).model;
const codes = (found: readonly Diagnostic[]): string[] => found.map((d) => d.code);
const claim = (gib: number, storageClass: string, labels: Record<string, string> = {}) => ({ requestedBytes: gib * GIB, storageClass, labels });

/** A shop namespace: the web app's claim is labelled app=web, the database's app=db, mounted by their pods. */
const shop = data(0, 0, {
  claims: { 'web-uploads': claim(10, 'gp3', { app: 'web' }), 'db-data': claim(200, 'gp3', { app: 'db' }) },
  pods: [
    { labels: { app: 'web' }, claims: ['web-uploads'] },
    { labels: { app: 'db' }, claims: ['db-data'] },
  ],
});

describe('item 1: selectors select objects, not namespaces', () => {
  it("GIVEN a policy on the shop namespace selecting app=web WHEN checked THEN the database's claim is another app's data: COV009 naming it, at the policy's selector", () => {
    const found = checkCoverage(modelOf(policy('web', { namespaces: ['shop'], selector: { matchLabels: { app: 'web' } } })), [inventory('prod-eu', { shop })], NOW);

    expect(found).toMatchObject([
      {
        code: 'COV009',
        severity: 'error',
        declaration: 'web',
        path: 'selector',
        source: { file: 'test/inventory/coverage-velero.test.ts' },
        message:
          'namespace shop on cluster prod-eu holds 1 of its 2 PersistentVolumeClaims (db-data; 200 GiB requested; storage class gp3) that policy web does not back up: its selector {"matchLabels":{"app":"web"}} matches neither the claims\' own labels nor a pod that mounts them, so they are another app\'s data (policies/inventory/prod-eu.json)',
      },
    ]);
    expect(found[0]?.hint).toContain('widen the selector');
  });

  it('GIVEN an unlabelled claim mounted by a selected pod WHEN checked THEN it is covered; WHEN the resource filters leave out pods THEN it is not', () => {
    const unlabelled = data(0, 0, { claims: { uploads: claim(5, 'gp3') }, pods: [{ labels: { app: 'web' }, claims: ['uploads'] }] });
    const selecting = { namespaces: ['shop'], selector: { matchLabels: { app: 'web' } } };

    expect(checkCoverage(modelOf(policy('web', selecting)), [inventory('prod-eu', { shop: unlabelled })], NOW)).toEqual([]);
    const withoutPods = policy('web', { ...selecting, includedResources: ['persistentvolumeclaims', 'persistentvolumes'] });
    expect(codes(checkCoverage(modelOf(withoutPods), [inventory('prod-eu', { shop: unlabelled })], NOW))).toEqual(['COV009']);
  });

  it('GIVEN a claim labelled velero.io/exclude-from-backup=true WHEN checked THEN Velero never takes it: COV009 says so', () => {
    const excluded = data(0, 0, { claims: { scratch: claim(1, 'gp3', { 'velero.io/exclude-from-backup': 'true' }) } });

    const [found] = checkCoverage(modelOf(policy('all', { namespaces: ['shop'] })), [inventory('prod-eu', { shop: excluded })], NOW);

    expect(found?.code).toBe('COV009');
    expect(found?.message).toContain('labelled velero.io/exclude-from-backup=true');
  });

  it('GIVEN a selector-only policy and a namespace whose own labels match but whose objects do not WHEN checked THEN COV009 (namespace labels select nothing)', () => {
    const labelledNamespace = data(1, 1, { labels: { team: 'payments' } });

    expect(codes(checkCoverage(modelOf(policy('team', { selector: { matchLabels: { team: 'payments' } } })), [inventory('prod-eu', { ledger: labelledNamespace })], NOW))).toEqual(['COV009']);
  });
});

describe('item 2: volume data, not just objects', () => {
  it("GIVEN volumePolicies that skip a storage class WHEN checked THEN COV010 at the rule names the claims it skips", () => {
    const mixed = data(0, 0, { claims: { data: claim(100, 'gp3'), cache: claim(20, 'local-cache') } });
    const model = modelOf(policy('search', { namespaces: ['search'], volumePolicies: [{ conditions: { storageClass: ['local-cache'] }, action: 'skip' }] }));

    const found = checkCoverage(model, [inventory('prod-eu', { search: mixed }, { gp3: { provisioner: 'ebs.csi.aws.com', default: true }, 'local-cache': { provisioner: 'rancher.io/local-path', default: false } })], NOW);

    expect(found).toMatchObject([{ code: 'COV010', severity: 'warning', declaration: 'search', path: 'volumePolicies[0]' }]);
    expect(found[0]?.message).toContain('holds 1 of its 2 PersistentVolumeClaims (cache; 20 GiB requested; storage class local-cache) whose data policy search skips');
  });

  it.each([
    ['pvc labels', { pvcLabels: { tier: 'scratch' } }, ['COV010']],
    ['other pvc labels', { pvcLabels: { tier: 'hot' } }, []],
    ['a capacity range holding the claim', { capacity: '0,50Gi' }, ['COV010']],
    ['a capacity range above the claim', { capacity: '50Gi,' }, []],
    ['the CSI driver', { csiDriver: 'ebs.csi.aws.com' }, ['COV010']],
  ])('GIVEN a skip rule on %s WHEN checked THEN %j', (_, conditions, expected) => {
    const scratch = data(0, 0, { claims: { tmp: claim(10, 'gp3', { tier: 'scratch' }) } });

    expect(codes(checkCoverage(modelOf(policy('p', { namespaces: ['n'], volumePolicies: [{ conditions, action: 'skip' }] })), [inventory('prod-eu', { n: scratch })], NOW))).toEqual(expected);
  });

  it('GIVEN a snapshot rule before the skip rule WHEN checked THEN the first matching rule wins and the claim is captured', () => {
    const model = modelOf(policy('p', { namespaces: ['n'], volumePolicies: [{ conditions: { storageClass: ['gp3'] }, action: 'snapshot' }, { conditions: { capacity: '0,100Gi' }, action: 'skip' }] }));

    expect(checkCoverage(model, [inventory('prod-eu', { n: data(1, 10) })], NOW)).toEqual([]);
  });

  it('GIVEN csi-snapshot for a storage class whose provisioner has no snapshot class on the cluster WHEN checked THEN COV011 names the provisioner and the snapshot class to declare', () => {
    const efs = data(0, 0, { claims: { shared: claim(30, '(default)') } });
    const classes = { efs: { provisioner: 'efs.csi.aws.com', default: true } };

    const found = checkCoverage(modelOf(policy('files', { namespaces: ['files'] })), [inventory('prod-eu', { files: efs }, classes)], NOW);

    expect(found).toMatchObject([{ code: 'COV011', severity: 'error', declaration: 'files', path: 'volumes' }]);
    expect(found[0]?.message).toContain("volumes 'csi-snapshot' needs a VolumeSnapshotClass for provisioner efs.csi.aws.com (storage class efs), and cluster prod-eu declares none");
    expect(found[0]?.hint).toBe("declare snapshotClasses: [csi({ driver: 'efs.csi.aws.com', deletionPolicy: 'Retain' })] on cluster prod-eu, or back these volumes up with volumes: 'filesystem'");
  });

  it("GIVEN the data mover on the same class WHEN checked THEN COV011 too (it starts from a CSI snapshot); WHEN volumes is 'filesystem' and a pod mounts it THEN covered", () => {
    const efs = data(0, 0, { claims: { shared: claim(30, 'efs') }, pods: [{ labels: { app: 'files' }, claims: ['shared'] }] });
    const classes = { efs: { provisioner: 'efs.csi.aws.com', default: false } };
    const inv = [inventory('prod-eu', { files: efs }, classes)];

    expect(codes(checkCoverage(modelOf(policy('files', { namespaces: ['files'], volumes: 'snapshot-data-mover' })), inv, NOW))).toEqual(['COV011']);
    expect(checkCoverage(modelOf(policy('files', { namespaces: ['files'], volumes: 'filesystem' })), inv, NOW)).toEqual([]);
  });

  it('GIVEN native-snapshot through an AWS snapshot location for a storage class provisioned by the EFS driver WHEN checked THEN COV013 names the plugin, the provisioners it snapshots and the fix', () => {
    const efs = data(0, 0, { claims: { shared: claim(30, 'efs') } });
    const classes = { efs: { provisioner: 'efs.csi.aws.com', default: false } };

    const found = checkCoverage(modelOf(policy('files', { namespaces: ['files'], volumes: 'native-snapshot' })), [inventory('prod-eu', { files: efs }, classes)], NOW);

    expect(found).toMatchObject([{ code: 'COV013', severity: 'error', declaration: 'files', path: 'volumes' }]);
    expect(found[0]?.message).toContain(
      "volumes 'native-snapshot' takes disk snapshots through Velero's aws plugin (the VolumeSnapshotLocation of storage eu-backups), which snapshots only ebs.csi.aws.com, kubernetes.io/aws-ebs volumes, not provisioner efs.csi.aws.com (storage class efs), so Velero skips those volumes with only a warning in the backup log",
    );
    expect(found[0]?.hint).toBe("use volumes: 'snapshot-data-mover' or 'csi-snapshot' with a VolumeSnapshotClass for efs.csi.aws.com, or add volumePolicies: [{ conditions: { storageClass: ['efs'] }, action: 'fs-backup' }]");
  });

  it('GIVEN native-snapshot through an AWS snapshot location for EBS volumes (CSI or in-tree) WHEN checked THEN covered; WHEN a gp3 claim on a GCP storage THEN COV013', () => {
    const ebs = data(0, 0, { claims: { csi: claim(30, 'gp3'), legacy: claim(10, 'gp2') } });
    const classes = { gp3: { provisioner: 'ebs.csi.aws.com', default: true }, gp2: { provisioner: 'kubernetes.io/aws-ebs', default: false } };
    const native = (props: Partial<BackupPolicyProps> = {}) => policy('disks', { namespaces: ['disks'], volumes: 'native-snapshot', ...props });

    expect(checkCoverage(modelOf(native()), [inventory('prod-eu', { disks: ebs }, classes)], NOW)).toEqual([]);
    const gcs = gcsStorage('gcs-backups', { bucket: 'g', credentials: sealed('gcs-creds') });
    const onGcp = cluster('prod-eu', { environment: 'production', storage: [gcs] });
    const found = checkCoverage(resolve([gcs, onGcp, backupPolicy('disks', { cluster: onGcp, namespaces: ['disks'], rpo: '1h', retention: { daily: 7 }, volumes: 'native-snapshot' })]).model, [inventory('prod-eu', { disks: ebs }, classes)], NOW);
    expect(codes(found)).toEqual(['COV013']);
    expect(found[0]?.message).toContain("through Velero's gcp plugin");
  });

  it('GIVEN a file-system backup of a claim no pod mounts WHEN checked THEN COV012 (the data is read through a pod)', () => {
    const [found] = checkCoverage(modelOf(policy('p', { namespaces: ['n'], volumes: 'filesystem' })), [inventory('prod-eu', { n: data(1, 10) })], NOW);

    expect(found).toMatchObject({ code: 'COV012', severity: 'error', declaration: 'p', path: 'volumes' });
  });
});

describe('item 5: findings ranked by data size', () => {
  it('GIVEN uncovered namespaces of 1, 500 and 20 GiB WHEN checked THEN the findings come largest first, each with its size', () => {
    const found = checkCoverage(modelOf(), [inventory('prod-eu', { a: data(1, 1), b: data(2, 500), c: data(1, 20) })], NOW);

    expect(found.map((d) => d.message.match(/^namespace (\w+) .*\((?:[^;]*; )?([\d.]+ GiB) requested/)?.slice(1))).toEqual([
      ['b', '500 GiB'],
      ['c', '20 GiB'],
      ['a', '1 GiB'],
    ]);
  });
});
