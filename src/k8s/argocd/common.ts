/** Pieces shared by the Argo CD kinds. */
import { type JsonSchema, obj, str } from '../schema.ts';

/** apiVersion of the Argo CD kinds. */
export const ARGOCD_API_VERSION = 'argoproj.io/v1alpha1';

/**
 * The finalizer that makes deleting an Application also delete the resources it deployed; restorable
 * puts it on the Applications it owns so that removing a policy cleans up after itself.
 */
export const ARGOCD_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** A cluster and namespace an Application deploys to (by API server URL or by cluster name). */
export interface IApplicationDestination {
  /** API server URL, e.g. `https://kubernetes.default.svc`. */
  server?: string;
  /** Cluster name as registered in Argo CD (instead of `server`). */
  name?: string;
  /** Target namespace. */
  namespace?: string;
}

/** Schema of {@link IApplicationDestination}. */
export const applicationDestinationSchema: JsonSchema = obj({ server: str(), name: str(), namespace: str() });
