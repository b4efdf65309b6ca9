/** Typed identity errors; each transaction's edge maps them to its protocol's error. */
export type IdentityErrorReason =
  | 'unknown-domain'
  | 'inconsistent-authority'
  | 'unknown-identifier'
  | 'missing-authority'
  | 'conflicting-tokens'
  | 'individual-number'
  /** A40 whose prior identifier (MRG-1) is in no domain of the survivor's (PID-3). */
  | 'cross-domain-merge'
  /** A40 whose prior identifier is the surviving one. */
  | 'self-merge'
  /** An unmerge of an identifier that is not merged (or was merged before merges were recorded). */
  | 'not-merged'
  /** An unmerge that a later merge depends on: that one is undone first. */
  | 'merged-since';

export class IdentityError extends Error {
  constructor(
    readonly reason: IdentityErrorReason,
    message: string,
    /** Which identifier of the request (0-based) caused it, when one did. */
    readonly index?: number,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}
