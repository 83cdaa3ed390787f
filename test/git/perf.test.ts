import { describe, expect, it } from 'vitest';
import { commitGenerated } from '../../src/git/index.ts';
import { createTestRepo, fsck, writeGenerated } from './support/repo.ts';

/** 50 clusters x 100 files of ~1 KiB: a large synth. */
function bigOutput(revision: number, clusters = 50): Record<string, string> {
  const files: Record<string, string> = {};
  for (let c = 0; c < clusters; c++) {
    for (let i = 0; i < 100; i++) files[`clusters/c${c}/velero/schedule-${i}.yaml`] = `kind: Schedule\nrevision: ${revision}\n${'#'.repeat(900)}\n`;
  }
  return files;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, Math.round(performance.now() - start)];
}

describe('commit at scale', () => {
  it('GIVEN 5,000 generated files WHEN all change, nothing changes, then half are removed THEN each commit is correct and takes seconds, not minutes', async () => {
    const repo = await createTestRepo();
    try {
      await writeGenerated(repo.dir, bigOutput(1));
      await commitGenerated({ dir: repo.dir, env: repo.env });
      await writeGenerated(repo.dir, bigOutput(2));

      const [changed, changedMs] = await timed(() => commitGenerated({ dir: repo.dir, env: repo.env }));
      const [unchanged, unchangedMs] = await timed(() => commitGenerated({ dir: repo.dir, env: repo.env }));
      await writeGenerated(repo.dir, bigOutput(2, 25));
      const [removed, removedMs] = await timed(() => commitGenerated({ dir: repo.dir, env: repo.env }));

      console.info(`5,000 changed: ${changedMs} ms; 5,000 unchanged: ${unchangedMs} ms; 2,500 removed: ${removedMs} ms`);
      expect(changed.status === 'committed' && changed.changes.length).toBe(5001);
      expect(unchanged.status).toBe('unchanged');
      expect(removed.status === 'committed' && removed.summary.length).toBe(25);
      expect(repo.git('status', '--porcelain')).toBe('');
      expect(fsck(repo).status).toBe(0);
      // Per-file index rewrites take ~100 s for 5,000 files; this guards against that regression.
      expect(changedMs).toBeLessThan(60_000);
    } finally {
      await repo.cleanup();
    }
  }, 180_000);
});
