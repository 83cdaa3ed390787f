const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Bytes of a Kubernetes quantity such as `'500Gi'` or `'2T'`; undefined when it is not one. */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (SUFFIX[match[2] ?? ''] ?? Number.NaN);
}

/** A byte count in the largest binary unit it reaches: `value` of 1024^`power` bytes. */
export function binaryScale(bytes: number, maxPower = 6): { readonly value: number; readonly power: number } {
  let value = bytes;
  let power = 0;
  while (value >= 1024 && power < maxPower) {
    value /= 1024;
    power += 1;
  }
  return { value, power };
}

/** Bytes as a Kubernetes quantity for people: the largest binary suffix, one decimal at most (`200Gi`, `1.5Ti`). */
export function formatQuantity(bytes: number): string {
  const { value, power } = binaryScale(bytes);
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][power]}`;
}
