import { ApiObject, type Chart } from 'cdk8s';
import type { ClusterModel, Model } from '../model/types.ts';

/** A manifest about to be added to a cluster's chart: any object with apiVersion, kind and a named metadata. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** What a backend lowering function receives: the model, the cluster being compiled and its chart. */
export interface LowerContext {
  readonly model: Model;
  readonly cluster: ClusterModel;
  readonly chart: Chart;
}

/**
 * Adds a manifest to the cluster's chart as a cdk8s ApiObject with the explicit name and namespace
 * given (never a generated, hashed name). The construct id is the kind, namespace and name, so two
 * objects that would collide in the cluster also collide here, at compile time.
 */
export function emit<T extends Manifest>(ctx: LowerContext, manifest: T): ApiObject {
  const { metadata } = manifest;
  const id = `${manifest.kind}/${metadata.namespace ?? '_cluster'}/${metadata.name}`;
  return new ApiObject(ctx.chart, id, manifest as unknown as ConstructorParameters<typeof ApiObject>[2]);
}
