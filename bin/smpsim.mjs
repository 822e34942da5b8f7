#!/usr/bin/env node
// Entry point for the installed `smpsim` command: runs the TypeScript CLI through tsx,
// so no separate build step is needed after `npm ci`.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli.ts');
