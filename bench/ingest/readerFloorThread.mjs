// The pipeline floor's reader thread: TypeScript sources run through tsx, as in bin/hie.js.
import { register } from 'tsx/esm/api';

register();
await import('./readerFloorThread.ts');
