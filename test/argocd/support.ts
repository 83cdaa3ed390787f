/** Shared fixtures of the Argo CD tests: the example organisation, compiled once per test file. */
import { type Compilation, compile } from '../../src/compile.ts';
import type { ClusterModel, Model } from '../../src/model/types.ts';
import type { PlacedObject } from '../../src/output/layout.ts';
import { examplePoliciesRel } from '../support/temp.ts';

let example: Promise<Compilation> | undefined;

/** The example organisation (test/fixtures/orgs/example), compiled (cached per test file). */
export function exampleCompilation(): Promise<Compilation> {
  example ??= compile({ policiesDir: examplePoliciesRel });
  return example;
}

/** The example model with its clusters replaced, so fixtures follow the model as it grows. */
export async function modelWith(clusters: readonly ClusterModel[]): Promise<Model> {
  const { model } = await exampleCompilation();
  return { ...model, clusters };
}

/** A cluster of the example organisation, with changes. */
export async function exampleCluster(name: string, changes: Partial<ClusterModel> = {}): Promise<ClusterModel> {
  const { model } = await exampleCompilation();
  const cluster = model.clusters.find((c) => c.name === name);
  if (!cluster) throw new Error(`the example organisation has no cluster ${name}`);
  return { ...cluster, ...changes };
}

/** A placed object with the given type, name, namespace and annotations. */
export function placed(
  cluster: string,
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  annotations?: Record<string, string>,
): PlacedObject {
  return {
    cluster,
    object: {
      apiVersion,
      kind,
      metadata: { name, ...(namespace ? { namespace } : {}), ...(annotations ? { annotations } : {}) },
    },
  };
}

/** `metadata.annotations` of a placed object. */
export function annotationsOf(item: PlacedObject): Record<string, string> {
  const metadata = item.object.metadata as { annotations?: Record<string, string> } | undefined;
  return metadata?.annotations ?? {};
}
