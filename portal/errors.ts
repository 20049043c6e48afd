/** A portal option (from code or the command line) is unknown or out of range. */
export class PortalOptionsError extends Error {
  override readonly name = 'PortalOptionsError';
  readonly code = 'ERR_PORTAL_OPTIONS';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
