// Starts the reader thread on the TypeScript sources, however the process itself was started.
import { register } from 'tsx/esm/api';

register();
// Not awaited: no top-level await in a thread's modules (see decodeThread.ts); a failed import
// still fails the thread, as an unhandled rejection.
void import('./readerWorker.ts');
