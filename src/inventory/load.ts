/**
 * Reads the inventories under `<policies>/inventory/*.json` for the coverage rule. A file that is
 * not a valid inventory is reported (INV001) rather than thrown, so validate still reports
 * everything else in the same run.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../model/diagnostic.ts';
import { isNamespaceName } from './names.ts';
import { INVENTORY_FOLDER } from './store.ts';
import { type ClaimInventory, INVENTORY_VERSION, type Inventory, type LoadedInventory, type NamespaceInventory, type PodInventory, type StorageClassInventory } from './types.ts';

/** The inventories found and the files that could not be read. */
export interface InventoryLoad {
  /** Sorted by cluster. */
  readonly inventories: readonly LoadedInventory[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads every `*.json` under `<policiesDir>/inventory/`; none (or no folder) is an empty result. */
export async function loadInventories(policiesDir: string): Promise<InventoryLoad> {
  const folder = path.join(policiesDir, INVENTORY_FOLDER);
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
  const inventories: LoadedInventory[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = displayPath(path.join(folder, name));
    const cluster = name.slice(0, -'.json'.length);
    let text: string;
    try {
      text = await readFile(path.join(folder, name), 'utf8');
    } catch (error) {
      diagnostics.push(invalid(file, cluster, `cannot be read: ${(error as Error).message}`));
      continue;
    }
    const parsed = parseInventory(text, cluster);
    if (typeof parsed === 'string') diagnostics.push(invalid(file, cluster, parsed));
    else inventories.push({ inventory: parsed, file, lines: namespaceLines(text) });
  }
  inventories.sort((a, b) => (a.inventory.cluster < b.inventory.cluster ? -1 : 1));
  return { inventories, diagnostics };
}

function invalid(file: string, cluster: string, problem: string): Diagnostic {
  return {
    code: 'INV001',
    severity: 'error',
    message: `inventory ${file} ${problem}`,
    hint: `re-import it: kubectl get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json > snapshot.json && restorable inventory import --cluster ${cluster} snapshot.json`,
    declaration: cluster,
    source: { file, line: 1, column: 1 },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');
const isLabels = (value: unknown): value is Record<string, string> => isObject(value) && Object.values(value).every((v) => typeof v === 'string');

/**
 * Parses and checks an inventory file's text; returns the inventory, or what is wrong with it.
 * @param cluster - the cluster its file name says it is for
 */
export function parseInventory(text: string, cluster: string): Inventory | string {
  let data: unknown;
  try {
    data = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    return `is not JSON (${(error as Error).message})`;
  }
  if (!isObject(data)) return 'is not a JSON object';
  if (data.version !== INVENTORY_VERSION) {
    return `has version ${JSON.stringify(data.version)}, expected ${INVENTORY_VERSION}${data.version === 1 ? ' (version 1 kept no claim labels, pods or storage classes, which coverage now needs)' : ''}`;
  }
  if (data.cluster !== cluster) return `is for cluster ${JSON.stringify(data.cluster)} but named after "${cluster}"`;
  if (!isObject(data.namespaces)) return 'has no "namespaces" object';
  if (!isObject(data.storageClasses)) return 'has no "storageClasses" object';
  const storageClasses: Record<string, StorageClassInventory> = {};
  for (const [name, entry] of Object.entries(data.storageClasses)) {
    if (!isObject(entry) || typeof entry.provisioner !== 'string' || typeof entry.default !== 'boolean') {
      return `storageClasses.${name} is not { provisioner: string, default: boolean }`;
    }
    storageClasses[name] = { provisioner: entry.provisioner, default: entry.default };
  }
  const namespaces: Record<string, NamespaceInventory> = {};
  for (const [name, entry] of Object.entries(data.namespaces)) {
    // `__proto__` here would replace the object's prototype instead of adding a namespace.
    if (!isNamespaceName(name)) return `namespaces: ${JSON.stringify(name)} is not a namespace name (lower-case letters, digits and '-', at most 63 characters)`;
    if (!isObject(entry)) return `namespaces.${name} is not an object`;
    const { labels, persistentVolumeClaims, requestedBytes, storageClasses: classes, statefulSets, claims, pods } = entry;
    if (!isCount(persistentVolumeClaims)) return `namespaces.${name}.persistentVolumeClaims is not a whole number >= 0`;
    if (!isCount(requestedBytes)) return `namespaces.${name}.requestedBytes is not a whole number >= 0`;
    if (!isStrings(classes)) return `namespaces.${name}.storageClasses is not a list of names`;
    if (!isStrings(statefulSets)) return `namespaces.${name}.statefulSets is not a list of names`;
    if (labels !== undefined && !isLabels(labels)) return `namespaces.${name}.labels is not a map of strings`;
    if (!isObject(claims)) return `namespaces.${name}.claims is not an object`;
    const claimed: Record<string, ClaimInventory> = {};
    for (const [claim, value] of Object.entries(claims)) {
      if (!isObject(value) || !isCount(value.requestedBytes) || typeof value.storageClass !== 'string' || !isLabels(value.labels)) {
        return `namespaces.${name}.claims.${claim} is not { requestedBytes, storageClass, labels }`;
      }
      claimed[claim] = { requestedBytes: value.requestedBytes, storageClass: value.storageClass, labels: value.labels };
    }
    // The counts are a summary for reviewers; one that disagrees with the claims was edited by hand.
    const sum = Object.values(claimed).reduce((total, c) => total + c.requestedBytes, 0);
    if (Object.keys(claimed).length !== persistentVolumeClaims || sum !== requestedBytes) {
      return `namespaces.${name} says ${persistentVolumeClaims} claims of ${requestedBytes} bytes, but its claims list ${Object.keys(claimed).length} of ${sum} bytes`;
    }
    if (!Array.isArray(pods) || !pods.every((pod) => isObject(pod) && isLabels(pod.labels) && isStrings(pod.claims))) {
      return `namespaces.${name}.pods is not a list of { labels, claims }`;
    }
    namespaces[name] = {
      ...(labels !== undefined ? { labels } : {}),
      persistentVolumeClaims,
      requestedBytes,
      storageClasses: classes,
      statefulSets,
      claims: claimed,
      pods: pods as PodInventory[],
    };
  }
  return { version: INVENTORY_VERSION, cluster, namespaces, storageClasses };
}

/** Line of each namespace's key in a file written by `serializeInventory` (4 spaces deep). */
function namespaceLines(text: string): Record<string, number> {
  const lines: Record<string, number> = Object.create(null) as Record<string, number>;
  text.split('\n').forEach((line, index) => {
    const match = /^ {4}("(?:[^"\\]|\\.)*"): \{/.exec(line);
    if (match?.[1]) lines[JSON.parse(match[1]) as string] = index + 1;
  });
  return lines;
}

/** A path as diagnostics print it: relative to the working directory when inside it, `/` separators. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file));
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(file) : relative;
  return shown.split(path.sep).join('/');
}
