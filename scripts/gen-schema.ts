/**
 * Writes scenario.schema.json (the editor schema for scenario files) at the project root.
 * Run: npx tsx scripts/gen-schema.ts   (test/scenario/jsonschema.test.ts checks it is current)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchemaText } from '../src/scenario/jsonschema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'scenario.schema.json');
fs.writeFileSync(out, scenarioJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), out) || out}`);
