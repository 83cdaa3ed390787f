// Worker bootstrap: policy files are TypeScript, so the worker registers tsx before loading them.
import { register } from 'tsx/esm/api';

register();
await import('./load-in-worker.ts');
