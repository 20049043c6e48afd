/**
 * The one error family. Every error drover throws on purpose is a DroverError: a stable
 * `name` (its class's, kept through bundling), a `code` in UPPER_SNAKE that begins with its
 * area (`SHEET_TOO_MANY_ROWS`, `REPORT_OPTIONS`, `BUDGET_CLOSED`, ...) and, where another
 * error led to it, a `cause`. Code branches on `code`, never on the message or `instanceof`
 * across module copies; a failure the workflow reports carries the same code as its type.
 *
 * Constructors take `(message, code, options)` where a class has several codes and
 * `(message, options)` where it has one: `options.cause` is the error that led to it.
 */
export interface DroverErrorOptions {
  cause?: unknown;
}

export abstract class DroverError<Code extends string = string> extends Error {
  abstract override readonly name: string;
  readonly code: Code;

  constructor(message: string, code: Code, options?: DroverErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * The base of a class with one code: `class BudgetClosedError extends errorWithCode('BudgetClosedError', 'BUDGET_CLOSED') {}`.
 * Its constructor is `(message, options)`.
 */
export function errorWithCode<const Code extends string>(name: string, code: Code) {
  return class extends DroverError<Code> {
    override readonly name = name;
    constructor(message: string, options?: DroverErrorOptions) {
      super(message, code, options);
    }
  };
}
