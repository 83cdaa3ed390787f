/**
 * Realistic `kubectl get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json` output for
 * tests: several hundred namespaces with labels, annotations (some carrying values that must never
 * reach an inventory), managed fields, statuses, claims in every quantity notation and StatefulSets
 * with claim templates. Deterministic for a seed. Alongside the List it returns what an inventory
 * must hold, computed from the numbers it chose rather than by parsing its own output.
 */

/** What an inventory must say about one namespace. */
export interface ExpectedNamespace {
  readonly labels: Record<string, string>;
  readonly claims: number;
  readonly bytes: number;
  readonly storageClasses: string[];
  readonly statefulSets: string[];
  /** Claims by name, as the inventory keeps them. */
  readonly claimDetails: Record<string, { requestedBytes: number; storageClass: string; labels: Record<string, string> }>;
  /** Pods that mount claims, deduplicated and sorted by their JSON text. */
  readonly pods: { labels: Record<string, string>; claims: string[] }[];
}

/** A generated List and the facts it encodes. */
export interface GeneratedList {
  readonly list: { apiVersion: 'v1'; kind: 'List'; metadata: { resourceVersion: string }; items: Record<string, unknown>[] };
  readonly expected: Map<string, ExpectedNamespace>;
  /** StorageClasses as the inventory keeps them. */
  readonly storageClasses: Record<string, { provisioner: string; default: boolean }>;
  /** Strings planted in annotations, specs and statuses that an inventory must not contain. */
  readonly secrets: readonly string[];
}

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TEAMS = ['payments', 'search', 'web', 'platform', 'data', 'ml', 'identity', 'billing'];
const APPS = ['postgres', 'redis', 'kafka', 'opensearch', 'minio', 'mongodb', 'rabbitmq', 'etcd'];

/** Quantity notations and the bytes they stand for (written out by hand, not computed by the code under test). */
const SIZES: readonly (readonly [string, number])[] = [
  ['1Gi', 1_073_741_824],
  ['10Gi', 10_737_418_240],
  ['100Gi', 107_374_182_400],
  ['1.5Gi', 1_610_612_736],
  ['512Mi', 536_870_912],
  ['2Ti', 2_199_023_255_552],
  ['50G', 50_000_000_000],
  ['500M', 500_000_000],
  ['1e9', 1_000_000_000],
  ['250k', 250_000],
  ['8Gi', 8_589_934_592],
  ['20Gi', 21_474_836_480],
];

/** The storage class field of a claim and the name an inventory records for it. */
const CLASSES: readonly (readonly [string | undefined, string])[] = [
  ['gp3', 'gp3'],
  ['gp3', 'gp3'],
  ['io2', 'io2'],
  ['efs-sc', 'efs-sc'],
  [undefined, '(default)'],
  ['', '(none)'],
];

/** Generates a List of `namespaces` namespaces; about a third hold no claims. */
export function generateList(namespaces: number, seed = 1): GeneratedList {
  const random = prng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const items: Record<string, unknown>[] = [];
  const expected = new Map<string, ExpectedNamespace>();
  const secrets: string[] = [];
  for (let n = 0; n < namespaces; n += 1) {
    const team = pick(TEAMS);
    const name = `${team}-${String(n).padStart(4, '0')}`;
    const secret = `AKIA${String(seed).padStart(4, '0')}${String(n).padStart(12, '0')}`;
    secrets.push(secret);
    const labels: Record<string, string> = { 'kubernetes.io/metadata.name': name, team };
    if (random() < 0.5) labels.environment = pick(['production', 'staging']);
    items.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        uid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        resourceVersion: String(1000 + n),
        creationTimestamp: '2026-01-15T10:00:00Z',
        labels,
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ metadata: { name, annotations: { token: secret } } }),
          'example.com/owner-token': secret,
        },
        managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2026-01-15T10:00:00Z' }],
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    const holdsData = random() > 0.33;
    const claimCount = holdsData ? 1 + Math.floor(random() * 6) : 0;
    let bytes = 0;
    const classes = new Set<string>();
    const statefulSets: string[] = [];
    const claimDetails: ExpectedNamespace['claimDetails'] = {};
    const claimNames: string[] = [];
    for (let c = 0; c < claimCount; c += 1) {
      const [size, sizeBytes] = pick(SIZES);
      const [className, recorded] = pick(CLASSES);
      bytes += sizeBytes;
      classes.add(recorded);
      const claimName = `data-${pick(APPS)}-${c}`;
      const claimLabels = { app: pick(APPS) };
      claimDetails[claimName] = { requestedBytes: sizeBytes, storageClass: recorded, labels: claimLabels };
      claimNames.push(claimName);
      items.push({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: claimName,
          namespace: name,
          labels: claimLabels,
          annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'example.com/backup-key': secret },
          finalizers: ['kubernetes.io/pvc-protection'],
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: size } },
          ...(className === undefined ? {} : { storageClassName: className }),
          volumeMode: 'Filesystem',
          volumeName: `pvc-${secret.toLowerCase()}-${c}`,
        },
        status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: size } },
      });
    }
    if (holdsData && random() < 0.7) {
      const set = `${pick(APPS)}-${n}`;
      statefulSets.push(set);
      items.push({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: set, namespace: name, annotations: { 'example.com/secret': secret } },
        spec: {
          replicas: 3,
          serviceName: set,
          selector: { matchLabels: { app: set } },
          template: { metadata: { labels: { app: set } }, spec: { containers: [{ name: 'main', image: 'registry.example/app:1', env: [{ name: 'TOKEN', value: secret }] }] } },
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '10Gi' } } } }],
        },
        status: { replicas: 3, readyReplicas: 3 },
      });
    }
    const pods = new Map<string, { labels: Record<string, string>; claims: string[] }>();
    if (claimNames.length > 0) {
      // Two replicas of one ReplicaSet mounting the first claim (kept once), a pod per further claim
      // with a unique label, and a pod without claims (not kept).
      const first = claimNames[0] as string;
      for (const replica of ['a1b2c', 'd3e4f']) {
        const podLabels = { app: 'web', 'pod-template-hash': '7d9f8' };
        items.push(podItem(`web-7d9f8-${replica}`, name, podLabels, [first, first], secret));
        pods.set(JSON.stringify({ labels: podLabels, claims: [first] }), { labels: podLabels, claims: [first] });
      }
      claimNames.slice(1).forEach((claim, i) => {
        const podLabels = { app: 'db', 'statefulset.kubernetes.io/pod-name': `db-${i}` };
        items.push(podItem(`db-${i}`, name, podLabels, [claim], secret));
        pods.set(JSON.stringify({ labels: podLabels, claims: [claim] }), { labels: podLabels, claims: [claim] });
      });
      items.push(podItem('no-claims', name, { app: 'batch' }, [], secret));
    }
    expected.set(name, {
      labels,
      claims: claimCount,
      bytes,
      storageClasses: [...classes].sort(),
      statefulSets,
      claimDetails,
      pods: [...pods.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, pod]) => pod),
    });
  }
  const storageClasses = { gp3: { provisioner: 'ebs.csi.aws.com', default: true }, io2: { provisioner: 'ebs.csi.aws.com', default: false }, 'efs-sc': { provisioner: 'efs.csi.aws.com', default: false } };
  for (const [className, sc] of Object.entries(storageClasses)) {
    items.push({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: className, ...(sc.default ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
      provisioner: sc.provisioner,
      parameters: { type: className },
      reclaimPolicy: 'Delete',
    });
  }
  return { list: { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items }, expected, storageClasses, secrets };
}

/** A running pod mounting `claims` (a repeat mounts one claim in two volumes), with a secret in its env. */
function podItem(name: string, namespace: string, labels: Record<string, string>, claims: string[], secret: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels, annotations: { 'example.com/token': secret } },
    spec: {
      containers: [{ name: 'main', image: 'registry.example/app:1', env: [{ name: 'TOKEN', value: secret }] }],
      volumes: [...claims.map((claimName, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName } })), { name: 'tmp', emptyDir: {} }],
    },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  };
}

/** The same items in another order (kubectl's order depends on the API server). */
export function shuffled<T>(values: readonly T[], seed: number): T[] {
  const random = prng(seed);
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
