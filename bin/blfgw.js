#!/usr/bin/env node
// CLI shim: runs the TypeScript sources through tsx so `npx blfgw` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/app/cli.ts');
