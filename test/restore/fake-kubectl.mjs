#!/usr/bin/env node
// A fake kubectl for testing the runner and drill scripts: no cluster runs here. It records every
// call (arguments and stdin) to $FAKE_KUBECTL_DIR/calls.jsonl and answers from scenario.json:
// { backups: [{ name, phase, completed, policy, tier }], restorePhases: { "<step label>": ["InProgress", "Completed"] },
//   pods: "name", execOutput: "text", existingPvcs: false, existingStatefulSets: false, pinned: { "<policy>": "<backup>" },
//   unavailable: { "<verb> <kind>": n } (the first n such calls fail as when the API server is down),
//   errors: { "<verb> <kind>": "message" } (every such call fails with the message),
//   failures: { "<verb> <kind>": ["message", ...] } (the n-th such call fails with the n-th message),
//   lostCreateAnswers: n (the first n Restores are created but kubectl hears nothing back),
//   leftoverNamespaces: false (a killed drill's namespaces are still there),
//   claims: [{ name, phases: ["Pending", "Bound"] }] (the drill's claims, one phase per poll; default one Bound claim),
//   references: "Kind/name resource name\n..." (what the drill's go-template prints for the restored workloads),
//   missing: ["secrets/name"] (referenced objects that are not there),
//   rightsAfter: n (the drill's RoleBinding takes effect after n `auth can-i` answers of "no"),
//   probes: { "<pod>": { phase, exitCode, message } } (how the drill's probe pods end; by default the
//   isolation probe times out and every other probe succeeds) }
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
const call = `${verb} ${kind}`;
if (scenario.unavailable?.[call] !== undefined) {
  state.unavailable ??= {};
  state.unavailable[call] = (state.unavailable[call] ?? 0) + 1;
  save();
  if (state.unavailable[call] <= scenario.unavailable[call]) fail('The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?');
}
if (scenario.errors?.[call] !== undefined) fail(scenario.errors[call]);
if (scenario.failures?.[call] !== undefined) {
  state.failures ??= {};
  state.failures[call] = (state.failures[call] ?? 0) + 1;
  const n = state.failures[call];
  save();
  const message = scenario.failures[call][n - 1];
  if (message) fail(message);
}
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
  if (state.restores[restoreName]) fail(`Error from server (AlreadyExists): error when creating "STDIN": restores.velero.io "${restoreName}" already exists`);
  state.restores[restoreName] = { step, backup, polls: 0 };
  // The API server created it, and the answer never reached kubectl.
  state.lost = (state.lost ?? 0) + 1;
  save();
  if (state.lost <= (scenario.lostCreateAnswers ?? 0)) fail('Unable to connect to the server: http2: client connection lost');
  out(restoreName);
} else if (verb === 'get' && kind === '-f' && stdin.includes('kind: Restore')) {
  const restoreName = /\n {2}name: (\S+)/.exec(stdin)[1];
  state.restores[restoreName] ? out(restoreName) : fail(`Error from server (NotFound): restores.velero.io "${restoreName}" not found`);
} else if (verb === 'create' && args.includes('-f') && stdin.includes('kind: ConfigMap')) {
  const cmName = /\n {2}name: (\S+)/.exec(stdin)[1];
  if (state.configmaps[cmName]) fail(`Error from server (AlreadyExists): configmaps "${cmName}" already exists`);
  state.configmaps[cmName] = stdin;
  save();
  out(cmName);
} else if (verb === 'patch' && kind === 'configmap') {
  if (!state.configmaps[name]) fail(`Error from server (NotFound): configmaps "${name}" not found`);
  state.configmaps[name] = flag('-p');
  save();
} else if (verb === 'get' && kind === 'namespaces') {
  // Leftovers of a killed drill: still listed once after their deletion (terminating), then gone.
  state.namespacePolls = (state.namespacePolls ?? 0) + 1;
  save();
  const terminating = state.leftoversDeleted && state.namespacePolls === 1;
  out(scenario.leftoverNamespaces && (!state.leftoversDeleted || terminating) ? 'namespace/drill-payments\n' : '');
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
} else if (verb === 'get' && kind === '--raw' && name.includes('/configmaps/')) {
  const configMap = name.slice(name.lastIndexOf('/') + 1);
  if (configMap.endsWith('-pin') && scenario.pinned) out(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configMap, resourceVersion: '1' }, data: scenario.pinned }));
  else fail('Error from server (NotFound): the server could not find the requested resource');
} else if (verb === 'create' && args.includes('--dry-run=client') && args.includes('-f')) {
  // Reads the object locally: only `jsonpath={.data.<key>}` is asked for.
  const key = /^jsonpath=\{\.data\.(.+)\}$/.exec(flag('-o') ?? '')?.[1];
  out(JSON.parse(stdin).data?.[key] ?? '');
} else if (verb === 'get' && kind === '--raw') {
  out('ok');
} else if (verb === 'create' && args.includes('-f') && stdin.includes('kind: Pod')) {
  out(/\n {2}name: (\S+)/.exec(stdin)[1]);
} else if (verb === 'get' && kind === 'pod') {
  const isolation = { phase: 'Failed', exitCode: 1, message: 'Unable to connect to the server: dial tcp 10.96.0.1:443: i/o timeout' };
  const probe = scenario.probes?.[name] ?? (name === 'restorable-isolation-probe' ? isolation : { phase: 'Succeeded', exitCode: 0, message: '' });
  if ((flag('-o') ?? '').includes('.status.phase')) out(`${probe.phase ?? ''} ${probe.exitCode ?? ''}`);
  else out(probe.message ?? '');
} else if (verb === 'auth' && kind === 'can-i') {
  state.canI = (state.canI ?? 0) + 1;
  save();
  out(state.canI > (scenario.rightsAfter ?? 0) ? 'yes' : 'no');
} else if (verb === 'get' && kind === 'persistentvolumeclaims' && (flag('-o') ?? '').includes('.status.phase')) {
  state.claimPolls = (state.claimPolls ?? 0) + 1;
  save();
  const claims = scenario.claims ?? [{ name: 'data-ledger-db-0', phases: ['Bound'] }];
  out(claims.map((c) => `${c.name} ${c.phases[Math.min(state.claimPolls - 1, c.phases.length - 1)]}\n`).join(''));
} else if (verb === 'get' && kind === 'deployments.apps,statefulsets.apps') {
  out(scenario.references ?? 'StatefulSet/ledger-db serviceaccounts ledger-db\nStatefulSet/ledger-db secrets ledger-db-credentials\nDeployment/ledger-api configmaps ledger-api-config\nDeployment/ledger-api persistentvolumeclaims ledger-api-uploads\n');
} else if (verb === 'get' && ['serviceaccounts', 'configmaps', 'secrets', 'persistentvolumeclaims'].includes(kind) && flag('-o') === 'name' && name && !name.startsWith('-')) {
  if ((scenario.missing ?? []).includes(`${kind}/${name}`)) fail(`Error from server (NotFound): ${kind} "${name}" not found`);
  out(`${kind}/${name}`);
} else if (verb === 'get' && kind === 'persistentvolumeclaims') {
  out(scenario.existingPvcs ? 'persistentvolumeclaim/data-0\n' : '');
} else if (verb === 'get' && kind === 'statefulsets.apps') {
  out(scenario.existingStatefulSets ? 'statefulset.apps/ledger-db\n' : '');
} else if (verb === 'create' && kind === 'configmap') {
  const literals = args.filter((a) => a.startsWith('--from-literal=')).map((a) => a.slice('--from-literal='.length));
  out(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${literals.map((l) => `  ${l.replace('=', ': "')}"`).join('\n')}\n`);
} else if (verb === 'apply') {
  const cmName = /name: (\S+)/.exec(stdin)?.[1];
  if (cmName) {
    state.configmaps[cmName] = stdin;
    save();
  }
} else if (verb === 'delete' && kind === 'namespaces') {
  state.leftoversDeleted = true;
  save();
} else if (['create', 'label', 'delete'].includes(verb)) {
  // namespaces, labels, deletions: recorded only
} else {
  fail(`fake kubectl: unexpected call ${args.join(' ')}`);
}
