// Internal failures raised while parsing or evaluating a template. They are plain objects, not
// Errors: `??`, `is defined` and `default` catch "undefined" failures on hot paths, and capturing a
// stack trace for each would be wasted work. The public API turns them into AloftError(EXPRESSION).

export const FailureKind = {
  /** An undefined variable, missing key or index out of bounds: tolerated by `is defined`, `??`, `?:`, `default`. */
  UNDEFINED: 'UNDEFINED',
  /** Everything else: a bad filter argument, a sandbox violation, a limit. Never tolerated. */
  HARD: 'HARD',
  /** A template that does not parse. */
  SYNTAX: 'SYNTAX',
} as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

export class ExprFailure {
  constructor(
    readonly kind: FailureKind,
    readonly message: string,
    /** Offset in the template where the problem is, when known. */
    readonly offset = -1,
  ) {}
}

export function isFailure(e: unknown): e is ExprFailure {
  return e instanceof ExprFailure;
}

export function undefinedFailure(message: string): ExprFailure {
  return new ExprFailure(FailureKind.UNDEFINED, message);
}

export function hardFailure(message: string): ExprFailure {
  return new ExprFailure(FailureKind.HARD, message);
}

export function syntaxFailure(message: string, offset: number): ExprFailure {
  return new ExprFailure(FailureKind.SYNTAX, message, offset);
}
