/**
 * The cdk8s baseline: the same final objects as raw ApiObjects in a plain cdk8s App, one Chart per
 * cluster, written by `app.synth()` with one file per object in a folder per chart
 * (FOLDER_PER_CHART_FILE_PER_RESOURCE), the layout closest to restorable's, so both write about
 * as many files; runbooks, which are not objects, are written as they are.
 *
 *   node --import tsx/esm bench/children/cdk8s-baseline.ts OBJECTS_JSON OUT_DIR
 */
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { readDump, writeOtherFiles } from './objects.ts';

const [dumpFile, outdir] = process.argv.slice(2);
if (!dumpFile || !outdir) throw new Error('usage: cdk8s-baseline.ts OBJECTS_JSON OUT_DIR');
const dump = await readDump(dumpFile);
const app = new App({ outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
const charts = new Map(dump.clusters.map((name) => [name, new Chart(app, name, { disableResourceNameHashes: true })]));
for (const { path, cluster, object } of dump.objects) {
  const chart = charts.get(cluster) ?? new Chart(app, cluster, { disableResourceNameHashes: true });
  charts.set(cluster, chart);
  const { apiVersion, kind, metadata, ...rest } = object as { apiVersion: string; kind: string; metadata: Record<string, unknown> };
  new ApiObject(chart, path, { apiVersion, kind, metadata, ...rest });
}
app.synth();
writeOtherFiles(outdir, dump.otherFiles);
