/** Errors raised while reading the tax portal: DroverErrors (errors/drover-error.ts). */
import { DroverError, errorWithCode, type DroverErrorOptions } from '../errors/drover-error.js';

/** A money cell that is not written the way the portal spec says money is written. */
export class MoneyFormatError extends errorWithCode('MoneyFormatError', 'SCRAPER_MONEY_FORMAT') {
  /** The text that could not be read as money. */
  readonly text: string;

  constructor(message: string, options: DroverErrorOptions & { text: string }) {
    super(message, options);
    this.text = options.text;
  }
}

/** Why a page is not whole. */
export type IncompleteReason = 'truncated' | 'missing-content';

/**
 * A page that did not arrive whole: cut off before `</html>`, or without the content the
 * route must have (a 200 maintenance page). The portal spec counts both as faults, so
 * this error is retryable.
 */
export class IncompletePageError extends DroverError<'SCRAPER_INCOMPLETE_PAGE'> {
  override readonly name = 'IncompletePageError';
  readonly retryable = true;
  readonly reason: IncompleteReason;

  constructor(message: string, options: DroverErrorOptions & { reason: IncompleteReason }) {
    super(message, 'SCRAPER_INCOMPLETE_PAGE', options);
    this.reason = options.reason;
  }
}

/**
 * A whole page whose content breaks the spec (unknown status, missing parcel id, bad
 * money). Asking again would return the same page, so this is not retried.
 */
export class PageFormatError extends errorWithCode('PageFormatError', 'SCRAPER_PAGE_FORMAT') {}

/** An options object that is missing a required key, has a bad value or an unknown key. */
export class InvalidOptionsError extends errorWithCode('InvalidOptionsError', 'SCRAPER_OPTIONS') {}
