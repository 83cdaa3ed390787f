import { readFile } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { PlacedObject } from '../output/layout.ts';
import { listFiles } from '../output/writer.ts';
import { scanForSecrets } from '../security/secret-scan.ts';

/** SEC009: the output never holds a plain `Secret`; credentials travel only as SealedSecrets. */
export function checkNoPlainSecrets(objects: readonly PlacedObject[]): Diagnostic[] {
  return objects
    .filter((placed) => placed.object.kind === 'Secret' && placed.object.apiVersion === 'v1')
    .map((placed) => {
      const metadata = placed.object.metadata as { name?: string; namespace?: string };
      return {
        code: 'SEC009',
        severity: 'error' as const,
        message: `${placed.cluster}: a plain Secret ${metadata.namespace ?? ''}/${metadata.name} would be written to Git`,
        hint: 'seal it with `restorable seal --write` and reference it with sealed(...)',
        declaration: placed.cluster,
      };
    });
}

/** Text files only: a NUL byte in the first 8 KiB marks a binary file, which is not scanned. */
function isText(content: Buffer): boolean {
  return !content.subarray(0, 8192).includes(0);
}

/**
 * Every file of the policies folder (YAML, JSON, text and the modules alike, not only those the
 * policies load) plus the files the policies import from elsewhere, each once, with posix paths.
 */
export async function policyFolderFiles(policiesDir: string, loadedFiles: readonly string[]): Promise<string[]> {
  const inFolder = (await listFiles(policiesDir)).filter((f) => !f.split('/').includes('node_modules')).map((f) => path.posix.join(policiesDir.split(path.sep).join('/'), f));
  return [...new Set([...inFolder, ...loadedFiles.map((f) => f.split(path.sep).join('/'))])].sort();
}

/**
 * SEC011: neither the policy files nor the rendered output contain credential-looking strings
 * (AWS keys, private keys, high-entropy base64 outside a SealedSecret's encryptedData). Messages
 * never repeat the value.
 */
export async function scanForCredentials(policyFiles: readonly string[], rendered: ReadonlyMap<string, string>): Promise<Diagnostic[]> {
  const findings = [];
  for (const file of policyFiles) {
    const content = await readFile(file);
    if (isText(content)) findings.push(...scanForSecrets(content.toString('utf8'), file));
  }
  for (const [file, content] of rendered) findings.push(...scanForSecrets(content, `generated/${file}`));
  return findings.map(credentialDiagnostic);
}

/**
 * What is committed in the output folder but would not be written by a fresh synth (a hand-added
 * or hand-edited file): SEC011 for credential-looking strings and SEC009 for a plain Secret, told
 * apart from drift because a value committed to Git is exposed and must be revoked. Files equal to
 * the fresh render were scanned with it.
 * @param candidates - the files to look at, when the caller knows which differ from a fresh synth
 *   (the drift check): default every file of the output folder
 */
export async function scanCommittedOutput(outDir: string, rendered: ReadonlyMap<string, string>, candidates?: readonly string[]): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  for (const file of candidates ?? (await listFiles(outDir))) {
    const content = await readFile(path.join(outDir, file));
    const text = content.toString('utf8');
    if (!isText(content) || rendered.get(file) === text) continue;
    const shown = `${outDir.split(path.sep).join('/')}/${file}`;
    diagnostics.push(...scanForSecrets(text, shown).map(credentialDiagnostic));
    let documents: unknown[] = [];
    try {
      documents = /\.(ya?ml|json)$/.test(file) ? yaml.loadAll(text) : [];
    } catch {
      // Not YAML: drift reports it; the credential scan above has read it as text.
    }
    for (const document of documents) {
      const object = document as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
      if (object?.apiVersion !== 'v1' || object.kind !== 'Secret') continue;
      diagnostics.push({
        code: 'SEC009',
        severity: 'error',
        message: `${shown}: a plain Secret ${String(object.metadata?.namespace ?? '')}/${String(object.metadata?.name ?? '')} is committed in the output: its values are in Git's history`,
        hint: 'revoke and replace every value it holds, remove the file, and seal the new values with `restorable seal --write`',
        source: { file: shown, line: 1, column: 1 },
      });
    }
  }
  return diagnostics;
}

function credentialDiagnostic(finding: ReturnType<typeof scanForSecrets>[number]): Diagnostic {
  return {
    code: 'SEC011',
    severity: 'error' as const,
    message: `${finding.kind}: ${finding.message}`,
    hint: 'never put credentials in policies; seal them with `restorable seal --write`',
    source: { file: finding.file, line: finding.line, column: 1 },
  };
}
