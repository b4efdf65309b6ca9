// Starts the reader thread on the TypeScript sources, however the process itself was started.
import { register } from 'tsx/esm/api';

register();
await import('./readerWorker.ts');
