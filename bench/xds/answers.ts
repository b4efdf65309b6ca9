/** Answers of the XDS benchmark: ITI-18 answers of two engines compared entry by entry, the part of a failure worth printing. */

/** The ids of the ExtrinsicObjects of a FindDocuments answer, sorted. */
export function entryUuids(xml: string): string[] {
  return [...xml.matchAll(/<rim:ExtrinsicObject [^>]*\bid="([^"]+)"/g)].map((m) => m[1]).sort();
}

/** Whether two engines' answers to the same first queries are the same entries; the first difference otherwise. */
export function compareAnswers(a: string[][], b: string[][]): string | undefined {
  if (a.length !== b.length) return `${a.length} answers against ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i].join(' ') !== b[i].join(' ')) return `query ${i + 1}: ${a[i].length} entries [${a[i].slice(0, 3).join(', ')}...] against ${b[i].length} [${b[i].slice(0, 3).join(', ')}...]`;
  }
  return undefined;
}

/** The RegistryErrorList of a response, or its start when it has none. */
export function errorPart(text: string, length = 600): string {
  const at = Math.max(0, text.indexOf('<rs:RegistryErrorList'));
  return text.slice(at, at + length);
}
