/** MSH-10 message control ids: unique across restarts, at most 20 characters (ST(20) in HL7 2.5). */
export function controlIdGenerator(prefix = 'HIE'): () => string {
  let counter = 0;
  return () => {
    counter = (counter + 1) % 1679616; // 36^4
    return `${prefix}${Date.now().toString(36).toUpperCase()}${counter.toString(36).toUpperCase().padStart(4, '0')}`;
  };
}

/**
 * The longest MSH-10 this server takes and MSA-2 it writes back: 199, the length of both from HL7
 * v2.7 on (2.14.9.10, 2.14.8.2). HL7 v2.5 gives them 20 (ST), but real senders of v2.3.1 and v2.5
 * messages use longer ones (OIDs, "_mpi_<uuid>": the IPF captures carry 29 to 41 characters), so 20
 * would refuse working interfaces. What is longer is refused, and never echoed whole.
 */
export const MAX_CONTROL_ID_LENGTH = 199;

/**
 * What MSA-2 echoes of a request's control id: the id itself, or, when it is longer than any MSA-2
 * may be, its first MAX_CONTROL_ID_LENGTH characters. MSA-2 is required (HL7 2.5 2.15.8.2), so the
 * prefix is echoed rather than nothing: the sender can still match the answer to what it sent.
 */
export function echoedControlId(id: string): string {
  return id.length > MAX_CONTROL_ID_LENGTH ? id.slice(0, MAX_CONTROL_ID_LENGTH) : id;
}
