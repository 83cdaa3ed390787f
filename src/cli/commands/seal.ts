import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { type CertificateFinding, checkCertificate } from '../../seal/certificate.ts';
import { SealError } from '../../seal/errors.ts';
import { assertDnsLabel, assertSecretKey, assertSecretName } from '../../seal/names.ts';
import { SEALING_SCOPES, type SealingScope } from '../../seal/scope.ts';
import { buildSealedSecret } from '../../seal/sealed-secret.ts';
import { renderSealedSecret, writeSealedSecret } from '../../seal/store.ts';

/** What `restorable seal` needs from the rest of the program. */
export interface SealCommandDeps {
  /** Path of the PEM sealing certificate of a cluster, as declared in the policies. */
  findClusterCertificate(cluster: string, policiesDir: string): Promise<string>;
  /**
   * Where `KEY=-` reads from.
   * @default process.stdin
   */
  readonly stdin?: AsyncIterable<Buffer | string>;
}

interface SealOptions {
  readonly cert?: string;
  readonly cluster?: string;
  readonly namespace: string;
  readonly name: string;
  readonly scope: SealingScope;
  readonly type?: string;
  readonly policies: string;
  readonly write?: boolean;
  readonly now?: string;
}

interface Input {
  readonly key: string;
  readonly source: string;
}

/**
 * `restorable seal`: seal values for a cluster's certificate and print the SealedSecret
 * YAML, or store it under `<policies>/sealed/<cluster>/<name>.yaml` with `--write`.
 * Plaintext is only held in memory: never written, logged or put in an error message.
 * Failures print one clear message to stderr and set `process.exitCode = 1`.
 *
 * @example
 * program.addCommand(sealCommand({ findClusterCertificate }));
 */
export function sealCommand(deps: SealCommandDeps): Command {
  return new Command('seal')
    .description('seal Secret values for a cluster (kubeseal format) and print or store the SealedSecret')
    .option('--cert <pem>', 'sealing certificate (PEM file)')
    .option('--cluster <name>', 'seal with the certificate the policies declare for this cluster')
    .requiredOption('--namespace <ns>', 'namespace of the Secret')
    .requiredOption('--name <name>', 'name of the Secret')
    .addOption(new Option('--scope <scope>', 'where the value may be unsealed').choices(SEALING_SCOPES).default('strict'))
    .option('--type <type>', 'Secret type', 'Opaque')
    .option('--policies <dir>', 'policies directory', 'policies')
    .option('--write', 'store the SealedSecret in <policies>/sealed/<cluster>/<name>.yaml (needs --cluster)')
    .option('--now <iso-time>', 'the clock for certificate validity checks (default: now)')
    .argument('<pairs...>', 'KEY=FILE pairs; KEY=- reads the value from stdin')
    .action(async (pairs: string[], _options: unknown, command: Command) => {
      const output = command.configureOutput();
      const writeOut = output.writeOut ?? ((text: string) => process.stdout.write(text));
      const writeErr = output.writeErr ?? ((text: string) => process.stderr.write(text));
      try {
        await runSeal(pairs, command.optsWithGlobals<SealOptions>(), deps, writeOut, writeErr);
      } catch (error) {
        // Only our own messages are shown: they are written never to include plaintext.
        const message = error instanceof SealError ? error.message : `unexpected ${(error as Error).name ?? 'error'}`;
        writeErr(`restorable seal: ${message}\n`);
        process.exitCode = 1;
      }
    });
}

async function runSeal(
  pairs: readonly string[],
  options: SealOptions,
  deps: SealCommandDeps,
  writeOut: (text: string) => void,
  writeErr: (text: string) => void,
): Promise<void> {
  if ((options.cert === undefined) === (options.cluster === undefined)) {
    throw new SealError('SEAL105', 'give exactly one of --cert <pem> or --cluster <name>');
  }
  if (options.write && options.cluster === undefined) {
    throw new SealError('SEAL105', '--write needs --cluster <name>: the file goes to <policies>/sealed/<cluster>/');
  }
  const now = parseNow(options.now);
  const inputs = parsePairs(pairs);
  // Check names before reading any secret, so a typo fails fast.
  assertSecretName(options.name);
  assertDnsLabel(options.namespace, 'namespace');
  if (options.cluster !== undefined) assertDnsLabel(options.cluster, 'cluster name');

  const certificatePath = options.cert ?? (await clusterCertificate(deps, options.cluster ?? '', options.policies));
  const certificate = await readInput(certificatePath, `the certificate ${certificatePath}`);
  const findings = checkCertificate(certificate, now);
  for (const warning of findings.filter((f) => f.severity === 'warning')) writeErr(formatFinding(warning));
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    throw new SealError(errors[0]!.code, `cannot seal with ${certificatePath}:\n${errors.map(formatFinding).join('')}`);
  }

  const data: Record<string, Buffer> = {};
  try {
    for (const { key, source } of inputs) {
      data[key] =
        source === '-' ? await readStdin(deps.stdin ?? process.stdin) : await readInput(source, `the value of ${key}`);
    }
    const sealed = buildSealedSecret({
      name: options.name,
      namespace: options.namespace,
      scope: options.scope,
      data,
      certificate,
      ...(options.type === undefined ? {} : { type: options.type }),
    });
    if (options.write && options.cluster !== undefined) {
      writeOut(`${await writeSealedSecret(options.policies, options.cluster, sealed)}\n`);
    } else {
      writeOut(renderSealedSecret(sealed));
    }
  } finally {
    for (const value of Object.values(data)) value.fill(0);
  }
}

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const now = new Date(value);
  if (Number.isNaN(now.getTime())) {
    throw new SealError('SEAL105', `--now "${value}" is not an ISO time, e.g. 2026-11-25T12:00:00Z`);
  }
  return now;
}

function parsePairs(pairs: readonly string[]): Input[] {
  const inputs: Input[] = [];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new SealError('SEAL105', `"${pair}" is not KEY=FILE (use KEY=- to read the value from stdin)`);
    }
    const key = pair.slice(0, at);
    assertSecretKey(key);
    if (inputs.some((input) => input.key === key)) throw new SealError('SEAL105', `data key "${key}" is given twice`);
    inputs.push({ key, source: pair.slice(at + 1) });
  }
  if (inputs.filter((input) => input.source === '-').length > 1) {
    throw new SealError('SEAL105', 'only one KEY=- can read stdin');
  }
  return inputs;
}

async function clusterCertificate(deps: SealCommandDeps, cluster: string, policiesDir: string): Promise<string> {
  try {
    return await deps.findClusterCertificate(cluster, policiesDir);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new SealError('SEAL105', `no sealing certificate for cluster "${cluster}": ${why}`);
  }
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SealError('SEAL106', `cannot read ${what} from ${path} (${code})`);
  }
}

async function readStdin(stdin: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  } catch {
    throw new SealError('SEAL106', 'cannot read the value from stdin');
  }
  const value = Buffer.concat(chunks);
  for (const chunk of chunks) chunk.fill(0);
  return value;
}

function formatFinding(finding: CertificateFinding): string {
  return `${finding.severity} ${finding.code}: ${finding.message}\n  hint: ${finding.hint}\n`;
}
