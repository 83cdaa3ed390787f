export { commandCheck, httpCheck, sqlCheck } from './checks.ts';
export { type DatabaseProfileProps, DUMP_THROUGHPUT, type MongoDbProfileProps, mongodb, mysql, postgres, redis } from './databases.ts';
export { type ExecHooksProps, execHooks } from './exec-hooks.ts';
export type { AppProfile, Command, Consistency, RestoreExecHook, VerifyCheck } from './profile.ts';
export { sh, shellQuote } from './shell.ts';
