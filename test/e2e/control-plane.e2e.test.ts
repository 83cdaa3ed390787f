/**
 * The harness itself: a real etcd, kube-apiserver and kube-controller-manager (no kubelet: pods are
 * never started) serve the API, run the namespace controller, and survive an API server restart.
 */
import { describe, expect, it } from 'vitest';
import { useTestRun } from './harness/test-run.ts';

const run = useTestRun('control-plane');

describe('a real control plane on loopback', () => {
  it('serves Kubernetes v1.33 with RBAC and ValidatingAdmissionPolicy, and finalises deleted namespaces', async () => {
    const cluster = await run.cluster('solo');
    const version = JSON.parse(await cluster.kubectlOk(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string } };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.33\./);
    const resources = await cluster.kubectlOk(['api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'name']);
    expect(resources.split('\n')).toContain('validatingadmissionpolicies.admissionregistration.k8s.io');

    await cluster.kubectlOk(['create', 'namespace', 'doomed']);
    await cluster.kubectlOk(['create', 'configmap', 'x', '-n', 'doomed', '--from-literal=a=b']);
    await cluster.kubectlOk(['delete', 'namespace', 'doomed', '--wait=true', '--timeout=90s']);
    const gone = await cluster.kubectl(['get', 'namespace', 'doomed']);
    expect(gone.stderr).toMatch(/NotFound/);

    await cluster.restartApiServer();
    expect(await cluster.kubectlOk(['get', 'namespace', 'default', '-o', 'name'])).toBe('namespace/default\n');
  });
});
