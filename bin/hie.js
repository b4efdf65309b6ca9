#!/usr/bin/env -S node --max-semi-space-size=64
// The installed `hie` command: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
