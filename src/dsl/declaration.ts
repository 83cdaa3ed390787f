import { captureCallSite, type SourceLocation } from './source.ts';

/** Marks restorable declarations so the loader can find them among a module's exports. */
export const DECLARATION: unique symbol = Symbol.for('restorable.declaration');

/** The kinds of top-level declarations a policy file can export. */
export type DeclarationKind = 'cluster' | 'storage' | 'backupPolicy' | 'restorePlan' | 'guardrails' | 'preSyncBackup' | 'exemption' | 'guardrailException';

/**
 * Base of every declaration: a kind, a name and the line that declared it. Builders keep the
 * user's props as given; the resolver (src/model) checks and converts them.
 */
export abstract class Declaration<K extends DeclarationKind = DeclarationKind, P = unknown> {
  readonly [DECLARATION] = true;
  /** Where the builder was called. */
  readonly source: SourceLocation | undefined;

  protected constructor(
    readonly kind: K,
    readonly name: string,
    readonly props: P,
  ) {
    this.source = captureCallSite();
  }
}

/** True when `value` is a restorable declaration (from any copy of the library). */
export function isDeclaration(value: unknown): value is Declaration {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DECLARATION] === true;
}
