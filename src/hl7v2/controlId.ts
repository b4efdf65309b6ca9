/** MSH-10 message control ids: unique across restarts, at most 20 characters (ST(20) in HL7 2.5). */
export function controlIdGenerator(prefix = 'HIE'): () => string {
  let counter = 0;
  return () => {
    counter = (counter + 1) % 1679616; // 36^4
    return `${prefix}${Date.now().toString(36).toUpperCase()}${counter.toString(36).toUpperCase().padStart(4, '0')}`;
  };
}
