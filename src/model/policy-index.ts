/**
 * Look-ups by policy name, built once per policy list. Restore-plan lowering asks, for each plan,
 * which policies it restores; answering by walking every policy made each plan cost as much as
 * the whole organisation (1,000 policies for each of 200 plans). The model is not changed after
 * it is built, so an index is kept per list (weakly: it goes with the model).
 */
import type { PolicyModel } from './types.ts';

interface PolicyIndex {
  /** Every policy of a name with where it stands in the list, in declaration order. */
  readonly named: ReadonlyMap<string, readonly { readonly policy: PolicyModel; readonly at: number }[]>;
}

const indexes = new WeakMap<readonly PolicyModel[], PolicyIndex>();

function indexOf(policies: readonly PolicyModel[]): PolicyIndex {
  let index = indexes.get(policies);
  if (!index) {
    const named = new Map<string, { policy: PolicyModel; at: number }[]>();
    policies.forEach((policy, at) => {
      const list = named.get(policy.name);
      if (list) list.push({ policy, at });
      else named.set(policy.name, [{ policy, at }]);
    });
    index = { named };
    indexes.set(policies, index);
  }
  return index;
}

/**
 * The first policy declared with `name`, or undefined: what `policies.find((p) => p.name === name)`
 * returns, in constant time.
 */
export function policyNamed(policies: readonly PolicyModel[], name: string): PolicyModel | undefined {
  return indexOf(policies).named.get(name)?.[0]?.policy;
}

/**
 * The policies a plan restores, in the order of its `from` (names without a policy left out): what
 * `from.map((name) => policies.find((p) => p.name === name))` keeps, in time proportional to `from`.
 */
export function sourcesOf(policies: readonly PolicyModel[], from: readonly string[]): PolicyModel[] {
  const named = indexOf(policies).named;
  return from.flatMap((name) => {
    const first = named.get(name)?.[0];
    return first ? [first.policy] : [];
  });
}

/**
 * Every policy whose name is in `names`, each once, in declaration order: what
 * `policies.filter((p) => names.includes(p.name))` returns, in time proportional to what it finds.
 */
export function policiesNamedIn(policies: readonly PolicyModel[], names: readonly string[]): PolicyModel[] {
  const named = indexOf(policies).named;
  const found = [...new Set(names)].flatMap((name) => named.get(name) ?? []);
  return found.sort((a, b) => a.at - b.at).map((entry) => entry.policy);
}
