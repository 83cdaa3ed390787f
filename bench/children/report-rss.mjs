// Preload for machines without GNU time: writes this process's peak RSS (KiB) and its CPU time
// (user and system, ms) to $BENCH_RSS_FILE on exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, `${usage.maxRSS} ${(usage.userCPUTime + usage.systemCPUTime) / 1000}`);
});
