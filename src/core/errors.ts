// Errors that mean "the user asked for something impossible": the command line prints the
// message as one line on stderr and exits with status 2. Everything else is a bug (status 1).

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Throws a UsageError naming the problem when `condition` is false. */
export function usageCheck(condition: unknown, message: string): asserts condition {
  if (!condition) throw new UsageError(message);
}
