/**
 * The consent records of the consent benchmark, written through the consent service
 * (ConsentService.set: the current record and its history row, as the admin API writes them) into
 * the cached databases before the servers start, and what each record hides from a facility that
 * did not make the documents.
 *
 * XDS corpus (bench/xds/corpus.ts): every patient opted in and withholding a department (psychiatry)
 * none of the corpus's documents is from; the even-numbered patients also withhold one class code
 * (documents 2, 5 and 8 of each patient carry it) and one single document (the patient's document
 * 0): 4 of their 10 documents are withheld. The odd-numbered patients' answers are the same with
 * consent on as off, which isolates what the decision costs from what the smaller answers save. PDQ database: every person opted in, except every 50th, who has not enrolled (under
 * the default opt-in, found only by a facility that holds a record of them).
 */
import { ConsentService } from '../../src/consent/service.ts';
import { emptyWithheld, type ConsentTerms } from '../../src/consent/model.ts';
import type { Store } from '../../src/store/types.ts';
import { CLASS_CODES, DOCS_PER_PATIENT } from '../xds/corpus.ts';

const LOINC = '2.16.840.1.113883.6.1';
const SNOMED = '2.16.840.1.113883.6.96';
/** The class code the corpus's patients withhold (documents k with k % 3 === 2). */
export const WITHHELD_CLASS = CLASS_CODES[2];
/** Psychiatry: no corpus document is from it (they are all general medicine). */
const PSYCHIATRY = { code: '394587001', codingScheme: SNOMED };

/** The uniqueId of a corpus DocumentEntry (patient p, its k-th document), as corpus.ts writes it. */
export const corpusDocumentUniqueId = (p: number, k: number) => `1.2.392.999.300.${p}.${k}`;

/** The consent of corpus patient p: opted in, the even-numbered ones withholding some histories. */
export function corpusConsent(p: number): ConsentTerms {
  const withholds = p % 2 === 0;
  return {
    participation: 'opted-in',
    facilities: [],
    peerRegions: [],
    withheld: {
      ...emptyWithheld(),
      classCodes: withholds ? [{ code: WITHHELD_CLASS[0], codingScheme: WITHHELD_CLASS[1] }] : [],
      practiceSettingCodes: [PSYCHIATRY],
      documents: withholds ? [corpusDocumentUniqueId(p, 0)] : [],
    },
  };
}

/** Whether corpusConsent(p) withholds the patient's k-th document from a facility that did not make it. */
export function corpusDocumentWithheld(p: number, k: number): boolean {
  return p % 2 === 0 && (k === 0 || CLASS_CODES[k % CLASS_CODES.length][0] === WITHHELD_CLASS[0]);
}

/** How many of corpus patient p's documents a facility that did not make them sees under corpusConsent. */
export function corpusVisible(p: number): number {
  return Array.from({ length: DOCS_PER_PATIENT }, (_, k) => k).filter((k) => !corpusDocumentWithheld(p, k)).length;
}

/** Every PDQ_NOT_ENROLLED-th person of the PDQ database has not enrolled. */
export const PDQ_NOT_ENROLLED = 50;

/** The consent of the i-th person (in id order) of the PDQ database. */
export function pdqConsent(i: number): ConsentTerms {
  return { participation: i % PDQ_NOT_ENROLLED === PDQ_NOT_ENROLLED - 1 ? 'not-enrolled' : 'opted-in', facilities: [], peerRegions: [], withheld: emptyWithheld() };
}

/**
 * Sets the consent of each person (ConsentService.set, source `admin`), `batch` persons a write
 * transaction; `termsOf` gets the person's position in `personIds` and its id. Returns how many.
 */
export async function writeConsents(
  store: Store,
  personIds: readonly number[],
  termsOf: (i: number, personId: number) => ConsentTerms,
  o: { batch?: number; progress?: (done: number) => void } = {},
): Promise<number> {
  const service = new ConsentService({ enabled: true, participationDefault: 'opt-in', emergencyPurposes: [], disasterPurposes: [] });
  const batch = o.batch ?? 2000;
  const by = { who: 'bench-consent', source: { kind: 'admin' as const } };
  for (let first = 0; first < personIds.length; first += batch) {
    const last = Math.min(personIds.length, first + batch);
    await store.write(async (tx) => {
      for (let i = first; i < last; i++) await service.set(tx, personIds[i], termsOf(i, personIds[i]), by);
    });
    o.progress?.(last);
  }
  return personIds.length;
}
