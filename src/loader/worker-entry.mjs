// Worker bootstrap: policy files are TypeScript, so the worker registers tsx before loading them.
// Every module tsx loads is recorded, so the synth cache can key on the files policies import.
import { register } from 'tsx/esm/api';

const early = [];
let record = (url) => early.push(url);
register({ onImport: (url) => record(url) });
const { recordImport } = await import('./imports.ts');
for (const url of early) recordImport(url);
record = recordImport;
await import('./load-in-worker.ts');
