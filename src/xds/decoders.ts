/**
 * The XDS request bodies decoded on decode threads (soap/decodeThreads.ts) instead of the main
 * thread: the SubmitObjectsRequest of ITI-42, the largest and most frequent registry request. Each
 * decoder is the transaction's own decode step, so a thread's answer is the transaction's.
 */
import type { BodyDecoder } from '../soap/envelopeDecoder.ts';
import { decodeSubmitObjectsRequest } from './iti42/transaction.ts';
import { XDS } from './transactions.ts';

export const decoders: Readonly<Record<string, BodyDecoder>> = {
  [XDS['ITI-42'].action]: decodeSubmitObjectsRequest,
};

/** This module, for the threads to load. */
export const DECODERS_MODULE = import.meta.url;
