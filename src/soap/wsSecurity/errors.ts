/**
 * Why a WS-Security header was refused, as the fault codes of OASIS WSS 1.1 SOAP Message Security
 * section 12 name it (all in the wsse namespace). ITI TF-2b 3.40.4.1.3: an X-Service Provider that
 * cannot validate an X-User Assertion answers with one of these, in a SOAP Fault. The edge turns the
 * error into env:Sender with the code as its subcode.
 */
export type WsseFaultCode =
  /** An unsupported token was provided (e.g. a SAML 1.1 assertion where XUA asks for SAML 2.0). */
  | 'UnsupportedSecurityToken'
  /** An unsupported signature or canonicalization algorithm was used. */
  | 'UnsupportedAlgorithm'
  /** An error was discovered processing the wsse:Security header (none where one is required, several). */
  | 'InvalidSecurity'
  /** An invalid security token was provided (not a well-formed assertion, unsigned, outside its validity). */
  | 'InvalidSecurityToken'
  /** The security token could not be authenticated or authorized (untrusted signer, other audience or issuer). */
  | 'FailedAuthentication'
  /** The signature was invalid (the signed content or SignedInfo changed after signing). */
  | 'FailedCheck';

export class WsSecurityError extends Error {
  constructor(
    readonly code: WsseFaultCode,
    message: string,
  ) {
    super(message);
    this.name = 'WsSecurityError';
  }
}
