// `node --import ./load-log.mjs …`: log every module the process resolves (load-log-hooks.mjs).
import { register } from 'node:module';

register('./load-log-hooks.mjs', import.meta.url);
