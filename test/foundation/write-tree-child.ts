/**
 * Runs writeTree in its own process, so a test can kill it at a chosen write with
 * RESTORABLE_FAILPOINT_WRITE=N: `node --import tsx write-tree-child.ts <out dir> <files.json>`.
 */
import { readFile } from 'node:fs/promises';
import { writeTree } from '../../src/output/writer.ts';

const [outDir, filesJson] = process.argv.slice(2);
if (outDir === undefined || filesJson === undefined) throw new Error('usage: write-tree-child.ts <out dir> <files.json>');
const files = new Map(Object.entries(JSON.parse(await readFile(filesJson, 'utf8')) as Record<string, string>));
const result = await writeTree(outDir, files);
process.stdout.write(`${JSON.stringify(result)}\n`);
