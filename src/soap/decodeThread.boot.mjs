// Starts a decode thread on the TypeScript sources, however the process itself was started.
import { register } from 'tsx/esm/api';

register();
await import('./decodeThread.ts');
