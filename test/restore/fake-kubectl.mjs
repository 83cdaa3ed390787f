#!/usr/bin/env node
// A fake kubectl for testing the runner and drill scripts: no cluster runs here. It records every
// call (arguments and stdin) to $FAKE_KUBECTL_DIR/calls.jsonl and answers from scenario.json:
// { backups: [{ name, phase, completed, policy, tier }], restorePhases: { "<step label>": ["InProgress", "Completed"] },
//   pods: "name", execOutput: "text", existingPvcs: false, pinned: { "<policy>": "<backup>" } }
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.FAKE_KUBECTL_DIR;
const args = process.argv.slice(2);
const scenario = JSON.parse(readFileSync(path.join(dir, 'scenario.json'), 'utf8'));
const statePath = path.join(dir, 'state.json');
const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : { restores: {}, configmaps: {}, polls: {} };
const stdin = args.includes('-') ? readFileSync(0, 'utf8') : '';
appendFileSync(path.join(dir, 'calls.jsonl'), `${JSON.stringify({ args, stdin })}\n`);
const save = () => writeFileSync(statePath, JSON.stringify(state));
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = (text) => process.stdout.write(text);
const fail = (text) => {
  process.stderr.write(`${text}\n`);
  process.exit(1);
};

const [verb, kind, name] = args;
if (verb === 'get' && kind === 'backups.velero.io' && flag('-l')) {
  const selector = Object.fromEntries(flag('-l').split(',').map((kv) => kv.split('=')));
  const lines = scenario.backups
    .filter((b) => b.policy === selector['restorable.dev/policy'] && (!selector['restorable.dev/tier'] || b.tier === selector['restorable.dev/tier']))
    .map((b) => `${b.phase} ${b.completed} ${b.name}\n`);
  out(lines.join(''));
} else if (verb === 'get' && kind === 'backups.velero.io') {
  const backup = scenario.backups.find((b) => b.name === name);
  backup ? out(backup.completed) : fail(`backups.velero.io "${name}" not found`);
} else if (verb === 'get' && kind === 'configmap') {
  const key = /^jsonpath=\{\.data\.(.+)\}$/.exec(flag('-o') ?? '')?.[1];
  const pinned = name.endsWith('-pin') ? scenario.pinned : undefined;
  if (pinned && key) out(pinned[key] ?? '');
  else state.configmaps[name] ? out('') : fail(`configmaps "${name}" not found`);
} else if (verb === 'create' && args.includes('-f') && stdin.includes('kind: Restore')) {
  const restoreName = /\n {2}name: (\S+)/.exec(stdin)[1];
  const step = /restorable.dev\/step: (\S+)/.exec(stdin)[1];
  const backup = /backupName: (\S+)/.exec(stdin)[1];
  state.restores[restoreName] = { step, backup, polls: 0 };
  save();
  out(restoreName);
} else if (verb === 'get' && kind === 'restores.velero.io') {
  const restore = state.restores[name];
  if (!restore) fail(`restores.velero.io "${name}" not found`);
  if (flag('-o') === 'jsonpath={.status.phase}') {
    const phases = scenario.restorePhases?.[restore.step] ?? ['InProgress', 'Completed'];
    out(phases[Math.min(restore.polls, phases.length - 1)]);
    restore.polls += 1;
    save();
  } else out('velero says: volume restore failed');
} else if (verb === 'get' && kind === 'pods') {
  out(scenario.pods ?? 'pod-0');
} else if (verb === 'exec') {
  out(scenario.execOutput ?? '1\n');
  if (scenario.execFails) process.exit(2);
} else if (verb === 'get' && kind === '--raw') {
  out('ok');
} else if (verb === 'get' && kind === 'persistentvolumeclaims') {
  out(scenario.existingPvcs ? 'persistentvolumeclaim/data-0\n' : '');
} else if (verb === 'create' && kind === 'configmap') {
  const literals = args.filter((a) => a.startsWith('--from-literal=')).map((a) => a.slice('--from-literal='.length));
  out(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${literals.map((l) => `  ${l.replace('=', ': "')}"`).join('\n')}\n`);
} else if (verb === 'apply') {
  const cmName = /name: (\S+)/.exec(stdin)?.[1];
  if (cmName) {
    state.configmaps[cmName] = stdin;
    save();
  }
} else if (['create', 'label', 'delete'].includes(verb)) {
  // namespaces, labels, deletions: recorded only
} else {
  fail(`fake kubectl: unexpected call ${args.join(' ')}`);
}
