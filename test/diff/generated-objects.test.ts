/** The generated manifests compared object by object, and the notes for live clusters. */
import { describe, expect, it } from 'vitest';
import { compareOutputs, upgradeNotes } from '../../src/diff/generated.ts';

const tree = (files: Record<string, string>): Map<string, string> => new Map(Object.entries(files));

const crd = (versions: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: schedules.velero.io
spec:
  group: velero.io
  scope: Namespaced
  versions:
${versions}`;

describe('compareOutputs and upgradeNotes', () => {
  it('GIVEN a Job whose pod template changed WHEN compared THEN an immutable-field note with the delete command', () => {
    const job = (image: string) => `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: seal-check\n  namespace: velero\nspec:\n  template:\n    spec:\n      containers:\n        - name: check\n          image: ${image}\n`;
    const before = tree({ 'clusters/prod/velero/job-seal-check.yaml': job('alpine/k8s:1.32.0') });
    const after = tree({ 'clusters/prod/velero/job-seal-check.yaml': job('alpine/k8s:1.33.4') });

    const comparison = compareOutputs(before, after);
    const notes = upgradeNotes(before, after, comparison);

    expect(comparison.objects.map((o) => [o.change, o.kind, o.fields])).toEqual([['changed', 'Job', ['spec.template']]]);
    expect(notes.map((n) => [n.kind, n.fields])).toEqual([['immutable-field', ['spec.template']]]);
    expect(notes[0]?.message).toContain('kubectl delete job.batch seal-check -n velero, then sync');
  });

  it('GIVEN a CRD whose storage version moved WHEN compared THEN a crd-versions note naming both lists', () => {
    const before = tree({ 'clusters/prod/_cluster/crd.yaml': crd('    - name: v1\n      served: true\n      storage: true\n') });
    const after = tree({ 'clusters/prod/_cluster/crd.yaml': crd('    - name: v1\n      served: true\n      storage: false\n    - name: v2\n      served: true\n      storage: true\n') });

    const notes = upgradeNotes(before, after, compareOutputs(before, after));

    expect(notes.map((n) => [n.kind, n.before, n.after])).toEqual([['crd-versions', 'v1 (storage)', 'v1, v2 (storage)']]);
  });

  it('GIVEN a snapshot class switched to Retain WHEN compared THEN a note that existing snapshots keep their deletion policy (the API server accepts the update)', () => {
    const vsc = (policy: string) => `apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotClass\nmetadata:\n  name: velero-ebs\ndriver: ebs.csi.aws.com\ndeletionPolicy: ${policy}\n`;
    const before = tree({ 'clusters/prod/_cluster/vsc.yaml': vsc('Delete') });
    const after = tree({ 'clusters/prod/_cluster/vsc.yaml': vsc('Retain') });

    expect(upgradeNotes(before, after, compareOutputs(before, after)).map((n) => [n.kind, n.fields])).toEqual([['snapshot-class', ['deletionPolicy']]]);
  });

  it('GIVEN Prune=false objects removed from a cluster folder and from a runbook WHEN compared THEN only the synced one is left behind, and synth bookkeeping is not an object', () => {
    const kept = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: velero\n  annotations:\n    argocd.argoproj.io/sync-options: Prune=false\n`;
    const before = tree({ 'clusters/prod/velero/secret-a.yaml': kept('a'), 'runbooks/prod/plan/01-a.yaml': kept('b'), '.restorable/manifest.json': '{}' });

    const comparison = compareOutputs(before, tree({ '.restorable/manifest.json': '{"other":1}' }));

    expect(comparison.objects.map((o) => [o.area, o.name, o.deleteCommand])).toEqual([
      ['clusters/prod', 'a', 'kubectl delete secret a -n velero'],
      ['runbooks/prod', 'b', null],
    ]);
  });
});
