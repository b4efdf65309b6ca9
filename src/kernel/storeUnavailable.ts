/**
 * The database cannot be reached: at start, or by a request that found it gone (restarted, the
 * network dropped). Nothing of the request was kept; it may be sent again once the database is back.
 * Each protocol's edge answers it with its own error (ACK AE, XDSRegistryError, 503).
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
