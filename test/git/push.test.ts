import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitGenerated, NON_FAST_FORWARD_MESSAGE, pushBranch, RestorableGitError, TOKEN_ENV, USERNAME_ENV } from '../../src/git/index.ts';
import { checkPushUrl } from '../../src/git/push.ts';
import { type GitHttpServer, startGitHttpServer } from './support/git-http-server.ts';
import { createTestRepo, runGit, sampleOutput, type TestRepo, writeGenerated } from './support/repo.ts';
import { type CliRun, runCommitCli } from './support/run-cli.ts';

const TOKEN = `tok_${randomBytes(12).toString('hex')}`;

/** Every form in which the token could leak. */
function leaks(text: string, token = TOKEN): boolean {
  return [token, Buffer.from(`x-access-token:${token}`).toString('base64'), Buffer.from(token).toString('base64')].some((f) => text.includes(f));
}

describe('restorable commit --push over smart HTTP', () => {
  let repo: TestRepo;
  let server: GitHttpServer;
  let remoteDir: string;
  let url: string;
  const remote = (...args: string[]): string => {
    const r = runGit(remoteDir, repo.env, args);
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
    runCommitCli(args, { cwd: repo.dir, env: { ...repo.env, ...env } });

  beforeEach(async () => {
    repo = await createTestRepo();
    const projectRoot = path.join(repo.home, 'served');
    remoteDir = path.join(projectRoot, 'backups.git');
    await fs.mkdir(remoteDir, { recursive: true });
    runGit(remoteDir, repo.env, ['init', '-q', '--bare', '-b', 'main']);
    remote('config', 'http.receivepack', 'true');
    server = await startGitHttpServer({ projectRoot, token: TOKEN });
    url = `${server.url}/backups.git`;
    await writeGenerated(repo.dir, sampleOutput(['prod-eu', 'dr-us']));
  });
  afterEach(async () => {
    await server.close();
    await repo.cleanup();
  });

  it('GIVEN a token in the environment WHEN committing with --push THEN the remote branch is the new commit and the token is never printed', async () => {
    const run = await cli(['--push', url, '--branch', 'main'], { [TOKEN_ENV]: TOKEN });

    expect(run.code, run.stderr).toBe(0);
    const head = repo.git('rev-parse', 'HEAD').trim();
    expect(remote('rev-parse', 'refs/heads/main')).toBe(head);
    expect(run.stdout).toContain(`pushed ${head.slice(0, 12)} to ${url} (refs/heads/main)`);
    expect(leaks(run.stdout + run.stderr)).toBe(false);
    expect(remote('fsck', '--strict', '--no-progress')).toBe('');
    expect(server.requests.some((r) => r.authorized && r.method === 'POST')).toBe(true);
    // Like `git push <url>`, pushing to a bare URL records no remote-tracking ref.
    expect(repo.git('for-each-ref', 'refs/remotes')).toBe('');
  });

  it('GIVEN a later synth WHEN pushed again THEN the remote fast-forwards; with nothing new the push is a no-op', async () => {
    expect((await cli(['--push', url, '--branch', 'main'], { [TOKEN_ENV]: TOKEN })).code).toBe(0);
    await writeGenerated(repo.dir, sampleOutput(['prod-eu'], 3, 2));

    const second = await cli(['--push', url, '--branch', 'main'], { [TOKEN_ENV]: TOKEN });
    const third = await cli(['--push', url, '--branch', 'main'], { [TOKEN_ENV]: TOKEN });

    expect(second.code, second.stderr).toBe(0);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/^nothing to commit\npushed /);
    expect(remote('rev-parse', 'refs/heads/main')).toBe(repo.git('rev-parse', 'HEAD').trim());
    expect(remote('rev-list', '--count', 'refs/heads/main')).toBe('3');
  });

  it('GIVEN a wrong token WHEN pushing THEN it fails cleanly, names the variable and never prints either token', async () => {
    const wrong = `bad_${randomBytes(12).toString('hex')}`;

    const run = await cli(['--push', url, '--branch', 'main'], { [TOKEN_ENV]: wrong });

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`restorable commit: authentication to ${url} failed (HTTP 401); check ${TOKEN_ENV} and ${USERNAME_ENV}\n`);
    expect(leaks(run.stdout + run.stderr, wrong) || leaks(run.stdout + run.stderr)).toBe(false);
    // The commit is made locally; only the push failed.
    expect(run.stdout).toMatch(/^committed /);
    expect(remote('for-each-ref')).toBe('');
  });

  it('GIVEN no token WHEN pushing THEN it says the remote requires one', async () => {
    const run = await cli(['--push', url, '--branch', 'main']);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`restorable commit: ${url} requires authentication (HTTP 401); set ${TOKEN_ENV}\n`);
  });

  it('GIVEN the remote branch has commits we do not have WHEN pushing THEN it is refused as non-fast-forward and not forced', async () => {
    expect((await cli(['--push', url, '--branch', 'main'], { [TOKEN_ENV]: TOKEN })).code).toBe(0);
    const tree = remote('rev-parse', 'main^{tree}');
    const theirs = runGit(remoteDir, { ...repo.env, GIT_AUTHOR_NAME: 'O', GIT_AUTHOR_EMAIL: 'o@x', GIT_COMMITTER_NAME: 'O', GIT_COMMITTER_EMAIL: 'o@x' }, [
      'commit-tree',
      tree,
      '-p',
      'main',
      '-m',
      'someone else',
    ]).stdout.trim();
    remote('update-ref', 'refs/heads/main', theirs);
    await writeGenerated(repo.dir, sampleOutput(['prod-eu'], 3, 2));

    const run = await cli(['--push', url, '--branch', 'main'], { [TOKEN_ENV]: TOKEN });

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`restorable commit: ${NON_FAST_FORWARD_MESSAGE}\n`);
    expect(remote('rev-parse', 'refs/heads/main')).toBe(theirs);
    expect(leaks(run.stdout + run.stderr)).toBe(false);
  });

  it('GIVEN RESTORABLE_GIT_USERNAME WHEN the server requires that user THEN the push succeeds', async () => {
    await server.close();
    server = await startGitHttpServer({ projectRoot: path.dirname(remoteDir), token: TOKEN, username: 'ci-bot' });
    url = `${server.url}/backups.git`;
    await commitGenerated({ dir: repo.dir, env: repo.env });

    const result = await pushBranch({ dir: repo.dir, url, branch: 'refs/heads/main', env: { [TOKEN_ENV]: TOKEN, [USERNAME_ENV]: 'ci-bot' } });

    expect(result.commit).toBe(repo.git('rev-parse', 'HEAD').trim());
    expect(remote('rev-parse', 'refs/heads/main')).toBe(result.commit);
  });

  it('GIVEN the URL of a configured remote WHEN pushing THEN its remote-tracking ref is updated, as git push would', async () => {
    repo.git('remote', 'add', 'origin', url);
    await commitGenerated({ dir: repo.dir, env: repo.env });

    const result = await pushBranch({ dir: repo.dir, url, branch: 'main', env: { [TOKEN_ENV]: TOKEN } });

    expect(repo.git('rev-parse', 'refs/remotes/origin/main').trim()).toBe(result.commit);
  });

  it('GIVEN credentials in the --push URL WHEN run THEN it refuses without echoing them', async () => {
    const secretUrl = url.replace('http://', `http://x-access-token:${TOKEN}@`);

    const run = await cli(['--push', secretUrl, '--branch', 'main']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`do not put credentials in the --push URL; set ${TOKEN_ENV} instead`);
    expect(leaks(run.stdout + run.stderr)).toBe(false);
  });

  it('GIVEN an unreachable server WHEN pushing THEN the error is clean and free of the token', async () => {
    await commitGenerated({ dir: repo.dir, env: repo.env });
    await server.close();

    const error = await pushBranch({ dir: repo.dir, url, branch: 'main', env: { [TOKEN_ENV]: TOKEN } }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RestorableGitError);
    expect((error as RestorableGitError).code).toBe('push-failed');
    expect((error as RestorableGitError).message).toContain(`push to ${url} failed:`);
    expect(leaks(String((error as Error).message) + String((error as Error).stack))).toBe(false);
  });

  it('GIVEN a token and a plain-http URL to another host WHEN checked THEN it is refused; loopback and https are allowed', () => {
    expect(() => checkPushUrl('http://git.example.test/r.git', true)).toThrow('refusing to send RESTORABLE_GIT_TOKEN over plain http');
    expect(checkPushUrl('http://127.0.0.1:8080/r.git', true).port).toBe('8080');
    expect(checkPushUrl('https://git.example.test/r.git', true).protocol).toBe('https:');
    expect(() => checkPushUrl('ssh://git@example.test/r.git', false)).toThrow('must be an http(s) URL');
  });
});
