/**
 * The floor: the same final objects serialised with js-yaml (restorable's options) and written to
 * the same files, nothing else (runbooks, which are not objects, are written as they are).
 *
 *   node --import tsx/esm bench/children/floor.ts OBJECTS_JSON OUT_DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { readDump, writeOtherFiles } from './objects.ts';

const [dumpFile, outDir] = process.argv.slice(2);
if (!dumpFile || !outDir) throw new Error('usage: floor.ts OBJECTS_JSON OUT_DIR');
const dump = await readDump(dumpFile);
const made = new Set<string>();
for (const { path: file, object } of dump.objects) {
  const target = path.join(outDir, file);
  const folder = path.dirname(target);
  if (!made.has(folder)) {
    mkdirSync(folder, { recursive: true });
    made.add(folder);
  }
  writeFileSync(target, yaml.dump(object, { noRefs: true, lineWidth: -1, sortKeys: false, quotingType: '"' }));
}
writeOtherFiles(outDir, dump.otherFiles);
