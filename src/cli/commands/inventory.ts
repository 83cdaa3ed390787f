import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { assertClusterName, InventoryInputError, inventoryFromList, parseSnapshotText } from '../../inventory/import.ts';
import { formatBytes } from '../../inventory/quantity.ts';
import { writeInventory } from '../../inventory/store.ts';
import { UserError } from '../errors.ts';

/**
 * `restorable inventory import --cluster C FILE [--policies DIR]`: stores what a cluster holds
 * (namespaces, their labels, claims, storage classes, requested sizes, StatefulSet names) in
 * `<policies>/inventory/<C>.json` for the coverage check (COV001-COV004).
 */
export function inventoryCommand(): Command {
  const importCommand = new Command('import')
    .description('store a `kubectl get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json` snapshot (FILE, or - for stdin) for coverage checks')
    .requiredOption('--cluster <name>', 'the cluster the snapshot was taken from')
    .option('--policies <dir>', 'folder of the policy modules; the inventory goes to its inventory/ folder', 'policies')
    .argument('<file>', 'the List as JSON, or - to read standard input')
    .action(async (file: string, options: { cluster: string; policies: string }) => {
      try {
        assertClusterName(options.cluster);
      } catch (error) {
        throw new UserError((error as Error).message, 2);
      }
      const text = await readInput(file);
      let list: unknown;
      try {
        list = parseSnapshotText(text, file);
      } catch (error) {
        if (error instanceof InventoryInputError) throw new UserError(error.message);
        throw error;
      }
      let imported: ReturnType<typeof inventoryFromList>;
      try {
        imported = inventoryFromList(list, options.cluster);
      } catch (error) {
        if (error instanceof InventoryInputError) throw new UserError(`${file}: ${error.message}`);
        throw error;
      }
      const written = await writeInventory(options.policies, imported.inventory);
      const namespaces = Object.values(imported.inventory.namespaces);
      const withData = namespaces.filter((n) => n.persistentVolumeClaims > 0);
      const claims = withData.reduce((sum, n) => sum + n.persistentVolumeClaims, 0);
      const bytes = withData.reduce((sum, n) => sum + n.requestedBytes, 0);
      const skipped = Object.entries(imported.skipped).sort(([a], [b]) => (a < b ? -1 : 1));
      if (skipped.length > 0) process.stderr.write(`note: ignored ${skipped.map(([kind, count]) => `${count} ${kind}`).join(', ')} (only Namespaces, PersistentVolumeClaims and StatefulSets are kept)\n`);
      const where = path.relative(process.cwd(), path.resolve(written)).split(path.sep).join('/');
      process.stdout.write(
        `inventory: wrote ${where}: ${plural(namespaces.length, 'namespace')}, ${withData.length} holding data (${plural(claims, 'PersistentVolumeClaim')}, ${formatBytes(bytes)} requested)\n`,
      );
    });
  return new Command('inventory').description('what the clusters hold, for coverage checks').addCommand(importCommand.exitOverride());
}

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UserError(`cannot read ${file}: ${why}`);
  }
}
