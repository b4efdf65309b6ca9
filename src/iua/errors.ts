/**
 * Why a bearer token is refused, with the error code of RFC 6750 3.1 the challenge carries:
 *   invalid_request (400 in RFC 6750; answered 401 here, as IUA's Resource Server refuses the request
 *     for want of an acceptable token) - no token, or a malformed Authorization header;
 *   invalid_token (401) - expired, wrong issuer or audience, bad signature, not a JWT;
 *   insufficient_scope (403) - a valid token without the scopes required.
 */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export class IuaError extends Error {
  constructor(
    /** undefined: no token at all (RFC 6750 3.1: the challenge then carries no error code). */
    readonly code: BearerErrorCode | undefined,
    message: string,
    /** For insufficient_scope: the scopes needed (the challenge's scope attribute). */
    readonly scope?: string,
  ) {
    super(message);
    this.name = 'IuaError';
  }

  get status(): 401 | 403 {
    return this.code === 'insufficient_scope' ? 403 : 401;
  }
}
