/**
 * Numbers that no manifest can hold (NaN, Infinity, -Infinity) anywhere in a declaration's props,
 * with the path of each (`apps[0].port`, `snapshotClasses[1].parameters.iops`). Other declarations
 * a prop refers to (a policy's cluster) are their own and not entered; a value met twice is read once.
 */
export function nonFiniteNumbers(props: unknown, isDeclaration: (value: unknown) => boolean): { path: string; value: number }[] {
  const found: { path: string; value: number }[] = [];
  const seen = new Set<object>();
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) found.push({ path, value });
      return;
    }
    if (typeof value !== 'object' || value === null || isDeclaration(value) || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        walk(item, `${path}[${index}]`);
      });
      return;
    }
    for (const [key, item] of Object.entries(value)) walk(item, path === '' ? key : `${path}.${key}`);
  };
  walk(props, '');
  return found;
}
