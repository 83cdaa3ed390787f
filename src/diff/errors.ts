/** A diff that cannot be made because of its input (a ref that does not exist, no repository); printed without a stack. */
export class DiffError extends Error {
  constructor(
    message: string,
    /** 2 for usage mistakes (a wrong ref or folder), 1 otherwise. */
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
