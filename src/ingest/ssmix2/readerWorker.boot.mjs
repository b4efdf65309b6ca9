// Starts a reader thread on the TypeScript sources (run from dist/, the thread starts on readerWorker.js).
import { register } from 'tsx/esm/api';

register();
await import('./readerWorker.ts');
