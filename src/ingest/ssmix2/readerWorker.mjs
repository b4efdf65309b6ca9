// The reader thread's entry: TypeScript sources run through tsx, as in bin/hie.js.
import { register } from 'tsx/esm/api';

register();
await import('./readerWorker.ts');
