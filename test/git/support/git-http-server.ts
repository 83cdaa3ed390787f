/**
 * A smart-HTTP git server for tests: a Node HTTP server on 127.0.0.1 (an
 * ephemeral port) that runs the real `git http-backend` as a CGI program and
 * requires HTTP Basic auth with a token. Repositories are served from
 * `projectRoot` (`<url>/<name>.git`); enable pushes with
 * `git config http.receivepack true` in the bare repository.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options for {@link startGitHttpServer}. */
export interface GitHttpServerOptions {
  /** Directory holding the bare repositories (GIT_PROJECT_ROOT). */
  projectRoot: string;
  /** Password every request must carry; undefined serves without auth. */
  token?: string;
  /** Required username; undefined accepts any username with the right token. */
  username?: string;
}

/** A running server. */
export interface GitHttpServer {
  /** Base URL, e.g. `http://127.0.0.1:43123`. */
  url: string;
  /** Requests seen: method, path and whether they were authorized. */
  requests: Array<{ method: string; path: string; authorized: boolean }>;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

function authorized(header: string | undefined, options: GitHttpServerOptions): { ok: boolean; user: string } {
  if (options.token === undefined) return { ok: true, user: 'anonymous' };
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return { ok: false, user: '' };
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const ok = colon > 0 && password === options.token && (options.username === undefined || user === options.username);
  return { ok, user };
}

/** Splits CGI output into status, headers and the start of the body. */
function parseCgiHead(head: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  return { status, headers };
}

function runBackend(req: http.IncomingMessage, res: http.ServerResponse, user: string, options: GitHttpServerOptions): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: options.projectRoot,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: user,
    REMOTE_ADDR: '127.0.0.1',
  };
  // Without CONTENT_LENGTH, http-backend reads the (chunked) body to EOF.
  if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (typeof req.headers['git-protocol'] === 'string') env.HTTP_GIT_PROTOCOL = req.headers['git-protocol'];

  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  let buffered = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    buffered = Buffer.concat([buffered, chunk]);
    const crlf = buffered.indexOf('\r\n\r\n');
    const lf = buffered.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
    if (end < 0) return;
    const { status, headers } = parseCgiHead(buffered.subarray(0, end).toString('latin1'));
    res.writeHead(status, headers);
    headersSent = true;
    res.write(buffered.subarray(end));
  });
  child.stderr.resume();
  child.on('close', () => {
    if (!headersSent) res.writeHead(502);
    res.end();
  });
  child.on('error', () => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}

/** Starts the server; close it in `afterAll`/`finally`. */
export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: GitHttpServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const auth = authorized(req.headers.authorization, options);
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', authorized: auth.ok });
    if (!auth.ok) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    runBackend(req, res, auth.user, options);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
