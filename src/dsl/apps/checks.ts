import type { VerifyCheck } from './profile.ts';

/**
 * A check that runs a command in a restored pod and passes when it exits 0.
 *
 * @example
 * commandCheck('api-health', ['wget', '-qO-', 'http://localhost:8080/healthz'], { selector: { app: 'ledger-api' } })
 */
export function commandCheck(
  name: string,
  command: readonly string[],
  options: { readonly selector: Readonly<Record<string, string>>; readonly container?: string; readonly namespace?: string },
): VerifyCheck {
  return { type: 'command', name, command, ...options };
}

/**
 * A check that sends an HTTP GET to a restored Service and passes on a 2xx answer: the runner goes
 * through the API server's service proxy, a drill from a probe pod inside the drill namespace (its
 * NetworkPolicy admits nothing from outside, the proxy included).
 *
 * @example
 * httpCheck('api-ready', { service: 'ledger-api', port: 8080, path: '/readyz' })
 */
export function httpCheck(
  name: string,
  options: { readonly service: string; readonly port: number; readonly path: string; readonly namespace?: string },
): VerifyCheck {
  return { type: 'http', name, ...options };
}

/**
 * A check that runs a SQL query with the database client of an app profile (psql or mysql) and
 * passes when it returns at least one row, or with `minRows` at least that many (the query is then
 * counted by the database: `select count(*) from (<query>) as restorable_rows`).
 *
 * @example
 * sqlCheck('accounts-present', 'select 1 from accounts limit 1', { app: 'ledger-db' })
 * sqlCheck('accounts-complete', 'select id from accounts', { app: 'ledger-db', minRows: 120000 })
 */
export function sqlCheck(name: string, query: string, options: { readonly app?: string; readonly minRows?: number } = {}): VerifyCheck {
  return { type: 'sql', name, query, ...options };
}
