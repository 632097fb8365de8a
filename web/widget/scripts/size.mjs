// Fails when the embed bundle is over budget: 60 KB gzipped.
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const LIMIT = 60 * 1024;
const file = fileURLToPath(new URL('../dist/widget.js', import.meta.url));

if (!existsSync(file)) {
  console.error('dist/widget.js is missing: run `npm run build` first.');
  process.exit(1);
}

const raw = readFileSync(file);
const gz = gzipSync(raw, { level: 9 }).length;
const kb = (n) => (n / 1024).toFixed(2);
console.log(`widget.js: ${kb(raw.length)} KB raw, ${kb(gz)} KB gzip (limit ${kb(LIMIT)} KB gzip)`);
if (gz > LIMIT) {
  console.error(`widget.js is over budget by ${kb(gz - LIMIT)} KB gzip.`);
  process.exit(1);
}
