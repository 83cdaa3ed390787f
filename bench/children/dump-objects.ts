/**
 * Compiles a policies folder in-process and writes its final objects as JSON, checking that each
 * object serialises to exactly the file synth writes; files that are not one object each
 * (runbooks) are kept as text.
 *
 *   node --import tsx/esm bench/children/dump-objects.ts POLICIES_DIR OUT_FILE
 */
import { writeFile } from 'node:fs/promises';
import { compile } from '../../src/compile.ts';
import { hasErrors } from '../../src/model/diagnostic.ts';
import { clusterObjectPath } from '../../src/output/layout.ts';
import type { JsonValue } from '../../src/output/normalize.ts';
import { toYaml } from '../../src/output/yaml.ts';
import type { DumpedObject, ObjectDump } from './objects.ts';

const [policiesDir, outFile] = process.argv.slice(2);
if (!policiesDir || !outFile) throw new Error('usage: dump-objects.ts POLICIES_DIR OUT_FILE');
const compilation = await compile({ policiesDir });
if (hasErrors(compilation.diagnostics)) throw new Error(`${policiesDir} does not compile: ${compilation.diagnostics.find((d) => d.severity === 'error')?.message}`);
const objects: DumpedObject[] = [
  ...compilation.objects.map((placed) => ({ path: clusterObjectPath(placed), cluster: placed.cluster, object: placed.object })),
  ...compilation.applications.map((a) => ({ path: a.path, cluster: a.path.split('/')[1] ?? '', object: a.object as { [key: string]: JsonValue } })),
];
for (const dumped of objects) {
  if (compilation.files.get(dumped.path) !== toYaml(dumped.object)) throw new Error(`${dumped.path}: the object does not serialise to the file synth writes`);
}
const asObjects = new Set(objects.map((o) => o.path));
const otherFiles = Object.fromEntries([...compilation.files].filter(([file]) => !asObjects.has(file)));
const dump: ObjectDump = { clusters: compilation.model.clusters.map((c) => c.name), objects, otherFiles };
await writeFile(outFile, JSON.stringify(dump));
process.stdout.write(`${JSON.stringify({ objects: objects.length, files: compilation.files.size })}\n`);
