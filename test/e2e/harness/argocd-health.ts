/**
 * Argo CD's health assessment for the kinds restorable emits, with Argo CD's own Lua scripts
 * (`resource_customizations/<group>/<kind>/health.lua` of the Argo CD module, downloaded with
 * `go mod download`, never committed) run by gopher-lua, the Lua 5.1 interpreter Argo CD embeds.
 * Argo CD treats a kind without a script (and without a built-in Go check, none of which restorable
 * emits) as having no health: it never holds a sync wave back.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The Argo CD version whose health scripts are used. */
export const ARGO_CD_VERSION = 'v3.5.1';

/** Argo CD's health statuses. */
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

/** The health of one object; `status` is undefined when Argo CD has no health check for its kind. */
export interface Health {
  readonly status?: HealthStatus;
  readonly message?: string;
}

/** A live object as read from the API server. */
export interface LiveObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

/** Downloads the Argo CD module (a zip from the Go module proxy; nothing is built) and returns its folder. */
export function downloadArgoCd(): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `github.com/argoproj/argo-cd/v3@${ARGO_CD_VERSION}`], { encoding: 'utf8', cwd: path.join(import.meta.dirname, '..', 'go', 'lua-health') });
  const dir = (JSON.parse(out) as { Dir?: string; Error?: string }).Dir;
  if (dir === undefined) throw new Error(`go mod download of Argo CD ${ARGO_CD_VERSION} failed: ${out}`);
  return dir;
}

/** Judges health with the scripts of an Argo CD module folder and the lua-health program. */
export class ArgoHealth {
  private readonly scripts = new Map<string, string | undefined>();

  constructor(
    private readonly argoCdDir: string,
    private readonly luaHealth: string,
  ) {}

  /** The health script for a group/kind, if Argo CD has one. */
  script(apiVersion: string, kind: string): string | undefined {
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const key = `${group}/${kind}`;
    if (!this.scripts.has(key)) {
      const file = path.join(this.argoCdDir, 'resource_customizations', group === '' ? '_' : group, kind, 'health.lua');
      this.scripts.set(key, existsSync(file) ? readFileSync(file, 'utf8') : undefined);
    }
    return this.scripts.get(key);
  }

  /**
   * Runs Argo CD's resource action `name` (`actions/<name>/action.lua`) on an object, as Argo CD's
   * server does when someone triggers it; returns what the script returns (for `create-job`, the
   * list of `{ operation, resource }` to perform).
   */
  runAction(object: LiveObject, name: string): unknown {
    const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
    const file = path.join(this.argoCdDir, 'resource_customizations', group === '' ? '_' : group, object.kind, 'actions', name, 'action.lua');
    const output = execFileSync(this.luaHealth, { input: JSON.stringify([{ object, script: readFileSync(file, 'utf8'), action: true }]), encoding: 'utf8' });
    const [result] = JSON.parse(output) as { result?: unknown; error?: string }[];
    if (result?.error !== undefined) throw new Error(`Argo CD's ${name} action for ${object.kind} ${object.metadata.name} failed: ${result.error}`);
    return result?.result;
  }

  /** The health of each object, in order (one interpreter run for all of them). */
  assess(objects: readonly LiveObject[]): Health[] {
    const requests = objects.map((object) => ({ object, script: this.script(object.apiVersion, object.kind) }));
    const scripted = requests.filter((r) => r.script !== undefined);
    if (scripted.length === 0) return objects.map(() => ({}));
    const output = execFileSync(this.luaHealth, { input: JSON.stringify(scripted), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const results = JSON.parse(output) as { status?: HealthStatus; message?: string; error?: string }[];
    let next = 0;
    return requests.map((r) => {
      if (r.script === undefined) return {};
      const result = results[next++]!;
      if (result.error !== undefined) throw new Error(`Argo CD's health script for ${r.object.kind} ${r.object.metadata.name} failed: ${result.error}`);
      return { ...(result.status ? { status: result.status } : {}), ...(result.message ? { message: result.message } : {}) };
    });
  }
}
