// Starts a reader thread on the TypeScript sources (run from dist/, the thread starts on readerWorker.js).
import { register } from 'tsx/esm/api';

register();
// Not awaited: no top-level await in a thread's modules (see decodeThread.ts); a failed import
// still fails the thread, as an unhandled rejection.
void import('./readerWorker.ts');
