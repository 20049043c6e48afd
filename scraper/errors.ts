/**
 * Errors raised while reading the tax portal. Each carries a stable `name` and `code` so
 * callers can branch on them without `instanceof` across module copies.
 */

/** A money cell that is not written the way the portal spec says money is written. */
export class MoneyFormatError extends Error {
  override readonly name = 'MoneyFormatError';
  readonly code = 'MONEY_FORMAT';
  /** The text that could not be read as money. */
  readonly text: string;

  constructor(text: string, options?: { cause?: unknown }) {
    super(`not a money amount: ${JSON.stringify(text)}`, options);
    this.text = text;
  }
}

/** Why a page is not whole. */
export type IncompleteReason = 'truncated' | 'missing-content';

/**
 * A page that did not arrive whole: cut off before `</html>`, or without the content the
 * route must have (a 200 maintenance page). The portal spec counts both as faults, so
 * this error is retryable.
 */
export class IncompletePageError extends Error {
  override readonly name = 'IncompletePageError';
  readonly code = 'INCOMPLETE_PAGE';
  readonly retryable = true;
  readonly reason: IncompleteReason;

  constructor(reason: IncompleteReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * A whole page whose content breaks the spec (unknown status, missing parcel id, bad
 * money). Asking again would return the same page, so this is not retried.
 */
export class PageFormatError extends Error {
  override readonly name = 'PageFormatError';
  readonly code = 'PAGE_FORMAT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An options object that is missing a required key, has a bad value or an unknown key. */
export class InvalidOptionsError extends Error {
  override readonly name = 'InvalidOptionsError';
  readonly code = 'INVALID_OPTIONS';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
