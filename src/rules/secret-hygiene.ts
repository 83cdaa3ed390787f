import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { PlacedObject } from '../output/layout.ts';
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

/**
 * SEC011: neither the policy files nor the rendered output contain credential-looking strings
 * (AWS keys, private keys, high-entropy base64 outside a SealedSecret's encryptedData). Messages
 * never repeat the value.
 */
export async function scanForCredentials(policyFiles: readonly string[], rendered: ReadonlyMap<string, string>): Promise<Diagnostic[]> {
  const findings = [];
  for (const file of policyFiles) findings.push(...scanForSecrets(await readFile(file, 'utf8'), file));
  for (const [file, content] of rendered) findings.push(...scanForSecrets(content, `generated/${file}`));
  return findings.map((finding) => ({
    code: 'SEC011',
    severity: 'error' as const,
    message: `${finding.kind}: ${finding.message}`,
    hint: 'never put credentials in policies; seal them with `restorable seal --write`',
    source: { file: finding.file, line: finding.line, column: 1 },
  }));
}
