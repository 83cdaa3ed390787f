/**
 * ServiceAccounts, Roles and RoleBindings as cdk8s-plus constructs, with restorable's explicit names
 * and namespaces. Every generated identity and grant goes through here, so what they default to is
 * said in one place: a ServiceAccount mounts no token unless its pod asks for one (the kubectl jobs
 * do, in pod-security.ts), a Role grants exactly the rules given, a binding names its subjects.
 *
 * The jobs themselves stay typed plain objects (pod-security.ts): cdk8s-plus's Job adds fields and a
 * construct-address label to every pod and cannot put the seccomp profile on the pod (README,
 * Architecture).
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { type EmitOptions, FOLDER_METADATA, type LowerContext } from './context.ts';

/** Name, namespace and labels of a generated object (annotations for Argo CD hooks). */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One RBAC rule: verbs on resources of one API group, optionally only the named objects. */
export interface RbacRule {
  /** API group; `''` for the core group. */
  readonly apiGroup: string;
  /** Resource types (plural, lower case), subresources as `pods/log`. */
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** Only these objects; every object of the types when absent. */
  readonly names?: readonly string[];
}

/** Who a RoleBinding grants to: a generated ServiceAccount, or a person or group (`user:x`, `group:y`). */
export type RbacSubject = kplus.ServiceAccount | { readonly kind: 'User' | 'Group'; readonly name: string };

/**
 * The construct id of an object, as {@link emit} makes it: two objects that would collide in the
 * cluster (same kind, namespace and name) collide here, at compile time.
 */
function objectId(kind: string, meta: ObjectMeta, options: EmitOptions): string {
  return `${options.folder ?? ''}/${kind}/${meta.namespace}/${meta.name}`;
}

/** Puts the construct's object into `options.folder` (lower() reads the folder from the ApiObject). */
function place<T extends Construct>(construct: T, options: EmitOptions): T {
  if (options.folder) ApiObject.of(construct).node.addMetadata(FOLDER_METADATA, options.folder);
  return construct;
}

/** cdk8s-plus's metadata from ours (it takes mutable maps). */
function metadata(meta: ObjectMeta) {
  return {
    name: meta.name,
    namespace: meta.namespace,
    labels: { ...meta.labels },
    ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
  };
}

/**
 * A ServiceAccount that mounts no token by default (`automountServiceAccountToken: false`): only a
 * pod that calls the API asks for one itself, so any other pod that names this account gets none.
 */
export function serviceAccount(ctx: LowerContext, meta: ObjectMeta, options: EmitOptions = {}): kplus.ServiceAccount {
  return place(new kplus.ServiceAccount(ctx.chart, objectId('ServiceAccount', meta, options), { metadata: metadata(meta), automountToken: false }), options);
}

/** One resource (or one named object) of a rule, as cdk8s-plus's Role takes it. */
function resource(apiGroup: string, resourceType: string, resourceName?: string): kplus.IApiResource {
  return resourceName === undefined ? { apiGroup, resourceType } : { apiGroup, resourceType, resourceName };
}

/**
 * A Role granting exactly `rules`. cdk8s-plus writes one RBAC rule per resource and per named object
 * (a rule over four resources becomes four rules with the same verbs): the same grant, spelt out.
 */
export function role(ctx: LowerContext, meta: ObjectMeta, rules: readonly RbacRule[], options: EmitOptions = {}): kplus.Role {
  const made = new kplus.Role(ctx.chart, objectId('Role', meta, options), { metadata: metadata(meta) });
  for (const rule of rules) {
    const resources = rule.resources.flatMap((type) =>
      rule.names === undefined ? [resource(rule.apiGroup, type)] : rule.names.map((name) => resource(rule.apiGroup, type, name)),
    );
    made.allow([...rule.verbs], ...resources);
  }
  return place(made, options);
}

/**
 * A ServiceAccount as a binding's subject, without cdk8s-plus's `apiGroup: ""`: the API server stores
 * a ServiceAccount subject with no apiGroup at all, so the empty string would be a difference
 * between Git and the cluster on every Argo CD comparison (the real API server test showed it).
 */
class AccountSubject extends Construct implements kplus.ISubject {
  readonly #account: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, account: kplus.ServiceAccount) {
    super(scope, id);
    this.#account = account;
  }

  toSubjectConfiguration(): kplus.SubjectConfiguration {
    const { kind, name, namespace } = this.#account.toSubjectConfiguration();
    return namespace === undefined ? { kind, name } : { kind, name, namespace };
  }
}

/** A RoleBinding of `grant` to `subjects`, in the Role's namespace, in the order given. */
export function roleBinding(ctx: LowerContext, meta: ObjectMeta, grant: kplus.Role, subjects: readonly RbacSubject[], options: EmitOptions = {}): kplus.RoleBinding {
  const id = objectId('RoleBinding', meta, options);
  const binding = new kplus.RoleBinding(ctx.chart, id, { metadata: metadata(meta), role: grant });
  binding.addSubjects(
    ...subjects.map((subject, index) => {
      const ref = `${id}/subject-${index}`;
      if (subject instanceof kplus.ServiceAccount) return new AccountSubject(ctx.chart, ref, subject);
      return subject.kind === 'User' ? kplus.User.fromName(ctx.chart, ref, subject.name) : kplus.Group.fromName(ctx.chart, ref, subject.name);
    }),
  );
  return place(binding, options);
}

/** A Role and its RoleBinding of one name, the usual pair. */
export function roleWithBinding(ctx: LowerContext, meta: ObjectMeta, rules: readonly RbacRule[], subjects: readonly RbacSubject[], options: EmitOptions = {}): void {
  roleBinding(ctx, meta, role(ctx, meta, rules, options), subjects, options);
}
