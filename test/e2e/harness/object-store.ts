/**
 * An S3-compatible object store on loopback: Versity Gateway (versitygw, Apache-2.0) with its posix
 * backend, built by `test/e2e/go/build.sh objectstore`, its data in the run folder. It checks AWS
 * Signature V4 on every request (an unknown key or a wrong signature is refused) and keeps IAM
 * accounts in a folder of the run: the gateway's root key administers everything; a read-only key is
 * an account of role `user` that a bucket policy lets list and read the buckets, nothing more.
 * Plain HTTP, path-style addressing, one region.
 *
 * The S3 calls the tests make (CreateBucket, PutBucketPolicy, ListObjectsV2, GetObject, PutObject)
 * are signed here with node:crypto: small enough not to need an SDK.
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from './ports.ts';
import { type Supervised, supervise, tail, waitFor } from './processes.ts';

/** An access key of the store. */
export interface S3Key {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The answer to one S3 request. */
export interface S3Response {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One S3 request. */
export interface S3Request {
  readonly method: 'GET' | 'PUT' | 'HEAD' | 'DELETE' | 'POST';
  readonly bucket: string;
  /** Object key; omitted for a bucket-level request. */
  readonly key?: string;
  /** Query parameters (`{ 'list-type': '2' }`, `{ policy: '' }`). */
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Signs with this key. @default the admin key */
  readonly as?: S3Key;
}

/** A running object store. */
export interface ObjectStore {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The region the store signs and checks signatures for. */
  readonly region: string;
  /** The gateway's root key: every bucket, every operation. */
  readonly admin: S3Key;
  /** May list buckets' objects and read them; every write is refused. */
  readonly readOnly: S3Key;
  /**
   * What a restore cluster's Velero needs: the read-only key's rights, and PutObject under
   * `<prefix>/restores/` for each of {@link ObjectStoreOptions.restorePrefixes} (restore logs and
   * results); every other write is refused.
   */
  readonly restoreOnly: S3Key;
  readonly buckets: readonly string[];
  readonly process: Supervised;
  /** One signed request; never throws on an S3 error (the caller reads `status`). */
  request(request: S3Request): Promise<S3Response>;
  /** Keys of the objects under `prefix` (ListObjectsV2, every page). */
  listObjects(bucket: string, prefix?: string, as?: S3Key): Promise<string[]>;
  /** The object's bytes; throws unless the store answers 200. */
  getObject(bucket: string, key: string, as?: S3Key): Promise<Buffer>;
  /** PutObject; returns the answer, refused or not. */
  putObject(bucket: string, key: string, body: Buffer | string, as?: S3Key): Promise<S3Response>;
  stop(): Promise<void>;
}

/** Options of an object store. */
export interface ObjectStoreOptions {
  /** Name of the log file and the data folder (e.g. `objectstore`). */
  readonly name: string;
  /** Folder with the `versitygw` binary (`inject('objectstoreBin')`). */
  readonly binDir: string;
  /** The run folder. */
  readonly runDir: string;
  /** Buckets to create (owned by the root key). */
  readonly buckets: readonly string[];
  /** Prefixes under whose `restores/` the {@link ObjectStore.restoreOnly} key may write. @default none */
  readonly restorePrefixes?: readonly string[];
  /** @default 'minio', the region Velero's documentation uses for S3-compatible stores */
  readonly region?: string;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding, as SigV4 wants it. */
const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A new key pair of printable characters. */
function newKey(prefix: string): S3Key {
  return { accessKeyId: `${prefix}${randomBytes(6).toString('hex')}`.toUpperCase(), secretAccessKey: randomBytes(24).toString('base64url') };
}

/** Sends one request signed with AWS Signature V4 (header form, payload hash signed). */
export function signedRequest(endpoint: string, region: string, key: S3Key, request: S3Request): Promise<S3Response> {
  const url = new URL(endpoint);
  const pathName = `/${encode(request.bucket)}${request.key === undefined ? '' : `/${request.key.split('/').map(encode).join('/')}`}`;
  const query = Object.entries(request.query ?? {})
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const body = typeof request.body === 'string' ? Buffer.from(request.body) : (request.body ?? Buffer.alloc(0));
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': payloadHash,
    ...(body.length > 0 || request.method === 'PUT' || request.method === 'POST' ? { 'content-length': String(body.length) } : {}),
    ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const signed = Object.keys(headers).sort();
  const canonical = [request.method, pathName, query, signed.map((h) => `${h}:${headers[h]!.trim()}\n`).join(''), signed.join(';'), payloadHash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, day), region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: query ? `${pathName}?${query}` : pathName, headers, timeout: 30_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${request.method} ${pathName} timed out`)));
    req.end(body);
  });
}

const xmlText = (value: string) =>
  value.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : e === 'amp' ? '&' : String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );

/** Starts the store, creates the buckets and the read-only account, and waits until it serves. */
export async function startObjectStore(options: ObjectStoreOptions): Promise<ObjectStore> {
  const { name, runDir } = options;
  const region = options.region ?? 'minio';
  const binary = path.join(options.binDir, 'versitygw');
  const dir = path.join(runDir, name);
  const dataDir = path.join(dir, 'data');
  const iamDir = path.join(dir, 'iam');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(iamDir, { recursive: true });
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const admin = newKey('root');
  const readOnly = newKey('ro');
  const restoreOnly = newKey('rs');

  const gateway = supervise({
    name,
    runDir,
    command: binary,
    args: [`--port=127.0.0.1:${port}`, `--region=${region}`, `--iam-dir=${iamDir}`, '--health=/health', '--quiet', 'posix', dataDir],
    // The root key goes by environment, not on the command line.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ROOT_ACCESS_KEY_ID: admin.accessKeyId, ROOT_SECRET_ACCESS_KEY: admin.secretAccessKey },
  });
  const health = () =>
    new Promise<number>((resolve) => {
      const req = http.get(`${endpoint}/health`, { timeout: 2_000 }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
    });
  const request = (r: S3Request) => signedRequest(endpoint, region, r.as ?? admin, r);
  const ok = async (r: S3Request, what: string) => {
    const response = await request(r);
    if (response.status < 200 || response.status > 299) throw new Error(`${what}: HTTP ${response.status} ${response.body.toString('utf8').slice(0, 500)}`);
    return response;
  };

  try {
    await waitFor(async () => {
      if (!gateway.running()) throw new Error(`versitygw exited:\n${tail(gateway.log, 30)}`);
      return (await health()) === 200;
    }, { timeoutMs: 60_000, intervalMs: 250, describe: () => `versitygw did not serve ${endpoint}/health within 60 s:\n${tail(gateway.log, 30)}` });

    // The read-only and restore accounts, through the gateway's admin API (the same port), with its own CLI.
    for (const key of [readOnly, restoreOnly]) {
      await new Promise<void>((resolve, reject) => {
        execFile(
          binary,
          ['admin', `--endpoint-url=${endpoint}`, `--region=${region}`, 'create-user', `--access=${key.accessKeyId}`, `--secret=${key.secretAccessKey}`, '--role=user'],
          { timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ADMIN_ACCESS_KEY_ID: admin.accessKeyId, ADMIN_SECRET_ACCESS_KEY: admin.secretAccessKey } },
          (error, stdout, stderr) => (error ? reject(new Error(`versitygw admin create-user failed: ${stderr || stdout || String(error)}`)) : resolve()),
        );
      });
    }
    for (const bucket of options.buckets) {
      await ok({ method: 'PUT', bucket }, `CreateBucket ${bucket}`);
      const policy = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: [readOnly.accessKeyId, restoreOnly.accessKeyId] },
            Action: ['s3:ListBucket', 's3:GetObject', 's3:GetBucketLocation'],
            Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
          },
          ...(options.restorePrefixes ?? []).map((prefix) => ({
            Effect: 'Allow',
            Principal: { AWS: [restoreOnly.accessKeyId] },
            Action: ['s3:PutObject'],
            Resource: [`arn:aws:s3:::${bucket}/${prefix}/restores/*`],
          })),
        ],
      };
      await ok({ method: 'PUT', bucket, query: { policy: '' }, body: JSON.stringify(policy) }, `PutBucketPolicy ${bucket}`);
    }
  } catch (error) {
    await gateway.stop();
    throw error;
  }

  return {
    endpoint,
    region,
    admin,
    readOnly,
    restoreOnly,
    buckets: [...options.buckets],
    process: gateway,
    request,
    async listObjects(bucket, prefix = '', as) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const query: Record<string, string> = { 'list-type': '2', prefix, ...(token ? { 'continuation-token': token } : {}) };
        const xml = (await ok({ method: 'GET', bucket, query, ...(as ? { as } : {}) }, `ListObjectsV2 ${bucket}/${prefix}`)).body.toString('utf8');
        for (const match of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(xmlText(match[1]!));
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? xmlText(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '') : undefined;
      } while (token);
      return keys;
    },
    async getObject(bucket, key, as) {
      return (await ok({ method: 'GET', bucket, key, ...(as ? { as } : {}) }, `GetObject ${bucket}/${key}`)).body;
    },
    putObject(bucket, key, body, as) {
      return request({ method: 'PUT', bucket, key, body, ...(as ? { as } : {}) });
    },
    stop: () => gateway.stop(),
  };
}
