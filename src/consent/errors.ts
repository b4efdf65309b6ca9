/**
 * A request refused by node authorization (who the node is, what its roles and facilities allow).
 * Made deep inside the services, turned into the protocol's own error at each edge (ACK AR/AE with
 * ERR, a SOAP Fault or a RegistryResponse error, an OperationOutcome) and audited as a Security Alert.
 */
export type AccessDeniedReason =
  /** The peer matched no configured node. */
  | 'unknown-node'
  /** The node lacks the role the transaction needs. */
  | 'role'
  /** The request names a facility, domain, sourceId or entry that is not the node's. */
  | 'facility'
  /** The request needs a valid XUA assertion and has none. */
  | 'assertion';

export class AccessDenied extends Error {
  constructor(
    readonly reason: AccessDeniedReason,
    message: string,
    /** Where in the request the refused item is (an HL7 location, an ebRIM object id), when one is. */
    readonly location?: unknown,
  ) {
    super(message);
    this.name = 'AccessDenied';
  }
}
