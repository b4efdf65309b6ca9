/**
 * The database cannot be reached: at start, or by a request that found it gone (restarted, the
 * network dropped). The request is not acknowledged, so its sender sends it again once the database
 * is back: nothing of it was kept, unless the connection was lost while the commit itself was under
 * way (then it may have been, and the resend meets it as any resend would). Each protocol's edge
 * answers it with its own error (ACK AE, XDSRegistryError, 503).
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
