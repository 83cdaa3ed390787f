/**
 * A small pool for child processes: at most `size` tasks run at once, the rest wait in order. The
 * machine has few cores, so the hardening tests never start every CLI at the same time.
 */
export type Pool = <T>(task: () => Promise<T>) => Promise<T>;

/** A pool running at most `size` tasks at a time; a finished task hands its slot to the next waiting one. */
export function createPool(size: number): Pool {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < size) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
