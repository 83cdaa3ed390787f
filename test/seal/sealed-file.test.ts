import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSealedSecret,
  parseCertificate,
  readSealedFile,
  renderSealedSecret,
  SealError,
  writeSealedSecret,
} from '../../src/seal/index.ts';
import { referenceCert, tempDir } from './support.ts';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function expectRejection(path: string, code: string, text: string): Promise<void> {
  const error: unknown = await readSealedFile(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SealError);
  expect((error as SealError).code).toBe(code);
  expect((error as SealError).message).toContain(text);
}

describe('writeSealedSecret and readSealedFile', () => {
  it('GIVEN a namespace-wide SealedSecret WHEN stored and read back THEN name, scope, keys and fingerprint are returned', async () => {
    const obj = buildSealedSecret({
      name: 'drill-db',
      namespace: 'payments',
      scope: 'namespace-wide',
      data: { username: Buffer.from('u'), password: Buffer.from('p') },
      certificate: referenceCert,
    });
    const path = await writeSealedSecret(join(dir, 'policies'), 'dr-us', obj);
    expect(path).toBe(join(dir, 'policies', 'sealed', 'dr-us', 'drill-db.yaml'));
    const file = await readSealedFile(path);
    expect(file).toMatchObject({
      name: 'drill-db',
      namespace: 'payments',
      scope: 'namespace-wide',
      keys: ['password', 'username'],
      fingerprint: parseCertificate(referenceCert).fingerprintSha256,
    });
    expect(file.object).toEqual(JSON.parse(JSON.stringify(obj)));
  });

  it('GIVEN an existing file WHEN stored again THEN it is replaced and no temporary file is left', async () => {
    const policies = join(dir, 'replace');
    const make = (value: string) =>
      buildSealedSecret({ name: 'x', namespace: 'ns', data: { k: Buffer.from(value) }, certificate: referenceCert });
    await writeSealedSecret(policies, 'prod-eu', make('one'));
    const second = make('two');
    const path = await writeSealedSecret(policies, 'prod-eu', second);
    expect((await readSealedFile(path)).object.spec.encryptedData.k).toBe(second.spec.encryptedData.k);
    expect(await readdir(join(policies, 'sealed', 'prod-eu'))).toEqual(['x.yaml']);
  });

  it('GIVEN a cluster name with a path in it WHEN stored THEN SEAL101 refuses it', async () => {
    const obj = buildSealedSecret({ name: 'x', namespace: 'ns', data: { k: Buffer.from('v') }, certificate: referenceCert });
    await expect(writeSealedSecret(dir, '../outside', obj)).rejects.toMatchObject({ code: 'SEAL101' });
  });

  it('GIVEN a SealedSecret without annotations WHEN read THEN the scope is strict and there is no fingerprint', async () => {
    const path = await fileWith(
      'plain.yaml',
      'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a, namespace: b}\nspec:\n  encryptedData: {k: AgBz}\n',
    );
    const file = await readSealedFile(path);
    expect(file.scope).toBe('strict');
    expect(file.fingerprint).toBeUndefined();
    expect('fingerprint' in file).toBe(false);
  });

  it('GIVEN files that are not one SealedSecret WHEN read THEN SEAL104 names the problem and the file', async () => {
    const secret = await fileWith('secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ndata: {k: dg==}\n');
    await expectRejection(secret, 'SEAL104', `${secret}: expected apiVersion bitnami.com/v1alpha1 and kind SealedSecret, found v1 Secret`);
    const two = await fileWith('two.yaml', `${renderSealedSecret(buildSealedSecret({ name: 'a', namespace: 'b', data: { k: Buffer.from('v') }, certificate: referenceCert }))}---\nkind: X\n`);
    await expectRejection(two, 'SEAL104', 'expected exactly one SealedSecret document, found 2');
    const broken = await fileWith('broken.yaml', 'kind: [\n');
    await expectRejection(broken, 'SEAL104', 'not valid YAML at line');
    const noNamespace = await fileWith('nons.yaml', 'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a}\nspec: {encryptedData: {k: AgBz}}\n');
    await expectRejection(noNamespace, 'SEAL104', 'metadata.namespace is missing');
    const notBase64 = await fileWith('nb64.yaml', 'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a, namespace: b}\nspec: {encryptedData: {k: "plain text"}}\n');
    await expectRejection(notBase64, 'SEAL104', 'spec.encryptedData.k is not base64 ciphertext');
    const empty = await fileWith('empty.yaml', 'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a, namespace: b}\nspec: {encryptedData: {}}\n');
    await expectRejection(empty, 'SEAL104', 'spec.encryptedData is empty');
  });

  it('GIVEN a missing file WHEN read THEN SEAL106 names the path and the reason', async () => {
    await expectRejection(join(dir, 'nope.yaml'), 'SEAL106', 'cannot read the file (ENOENT)');
  });
});
