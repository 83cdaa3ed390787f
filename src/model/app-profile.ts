/** Recognises application profiles among the values a policy's `apps` holds as the user wrote them. */
import type { AppProfile } from '../dsl/apps/profile.ts';
import { isRecord } from './resolve/fields.ts';

/**
 * Whether a value is an application profile as the builders make it. Anything else (`undefined`, a
 * hand-made object) is APP004's to report; every other reader of `apps` passes over it.
 */
export function isAppProfile(app: unknown): app is AppProfile {
  return (
    isRecord(app) &&
    app.type === 'app' &&
    typeof app.name === 'string' &&
    Array.isArray(app.verify) &&
    Array.isArray(app.restore) &&
    app.restore.every((hook) => isRecord(hook) && Array.isArray(hook.command))
  );
}
