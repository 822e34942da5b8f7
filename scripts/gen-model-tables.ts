/**
 * Rewrites the generated tables of docs/MODEL.md (costs, versions, machine presets,
 * scenario fields) from the code, between their markers; the prose around them is
 * hand-written. Run: npx tsx scripts/gen-model-tables.ts
 * (test/docs/model-md.test.ts checks the file is current).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { regenerate } from './model-tables.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'docs', 'MODEL.md');
fs.writeFileSync(file, regenerate(fs.readFileSync(file, 'utf8')));
console.log(`wrote ${path.relative(process.cwd(), file) || file}`);
