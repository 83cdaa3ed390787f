/**
 * Summarises V8 CPU profiles (`node --cpu-prof`): self time per function and per file, and total
 * time per file (a function counted once per sample even when it recurses), so a profile can be
 * read without a browser.
 *
 *   node --cpu-prof --cpu-prof-dir=.tmp/prof bin/restorable.mjs synth ...
 *   node --import tsx/esm bench/profile-summary.ts .tmp/prof/*.cpuprofile [--top 30]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Where a profile frame comes from, shortened to the package or the project-relative file. */
function where(url: string): string {
  if (url === '') return '(native)';
  const clean = url.replace(/^file:\/\//, '');
  const modules = clean.lastIndexOf('/node_modules/');
  if (modules !== -1) return clean.slice(modules + '/node_modules/'.length).split('/').slice(0, 2).join('/');
  const relative = path.relative(process.cwd(), clean);
  return relative.startsWith('..') ? clean : relative;
}

/** Self and inclusive time (ms) per function and per file of one profile. */
export function summarise(profile: CpuProfile): { total: number; self: Map<string, number>; files: Map<string, number>; inclusive: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const node = byId.get(id);
    if (!node) return;
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + ms);
    const file = where(node.callFrame.url);
    files.set(file, (files.get(file) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const fn = `${frame.callFrame.functionName || '(anonymous)'} ${where(frame.callFrame.url)}`;
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
    }
  });
  return { total, self, files, inclusive };
}

function top(map: ReadonlyMap<string, number>, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, ms]) => `${ms.toFixed(0).padStart(8)} ms  ${key}`);
}

async function main(argv: readonly string[]): Promise<void> {
  const topIndex = argv.indexOf('--top');
  const n = topIndex === -1 ? 25 : Number(argv[topIndex + 1]);
  const files = argv.filter((a, i) => a !== '--top' && (topIndex === -1 || i !== topIndex + 1));
  for (const file of files) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    const { total, self, files: perFile, inclusive } = summarise(profile);
    process.stdout.write(`== ${path.basename(file)}: ${total.toFixed(0)} ms sampled\n`);
    process.stdout.write(`-- self time by function\n${top(self, n).join('\n')}\n`);
    process.stdout.write(`-- self time by file or package\n${top(perFile, n).join('\n')}\n`);
    process.stdout.write(`-- inclusive time by function\n${top(inclusive, n).join('\n')}\n\n`);
  }
}

await main(process.argv.slice(2));
