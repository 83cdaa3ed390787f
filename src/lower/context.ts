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
export function emit<T extends Manifest>(ctx: LowerContext, manifest: T, options: EmitOptions = {}): ApiObject {
  const { metadata } = manifest;
  const id = `${options.folder ?? ''}/${manifest.kind}/${metadata.namespace ?? '_cluster'}/${metadata.name}`;
  const object = new ApiObject(ctx.chart, id, manifest as unknown as ConstructorParameters<typeof ApiObject>[2]);
  if (options.folder) object.node.addMetadata(FOLDER_METADATA, options.folder);
  return object;
}

/** Construct metadata type naming an object's output folder when it is not the cluster's synced folder. */
export const FOLDER_METADATA = 'restorable:folder';

/** Where an emitted object goes. */
export interface EmitOptions {
  /**
   * Output folder relative to the output root, for objects the cluster's Argo CD must NOT sync
   * (e.g. `hooks/<policy>`). @default the cluster's folder `clusters/<cluster>/<namespace>`
   */
  readonly folder?: string;
}
