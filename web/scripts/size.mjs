// Fails when the workspace's first load is over budget: 1 MB gzipped.
//
// The first load is what a browser fetches to sign in and open the inbox: index.html, the entry
// chunk with everything it imports, and the lazy chunks of the login page, the app layout and
// the inbox with everything they import (JS and CSS), followed through Vite's build manifest.
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const LIMIT = 1024 * 1024;
/** The modules the sign-in → inbox path loads lazily (App.tsx). */
const ROUTES = ['src/features/auth/LoginPage.tsx', 'src/features/layout/AppLayout.tsx', 'src/features/inbox/InboxPage.tsx'];

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const manifestPath = `${dist}.vite/manifest.json`;
if (!existsSync(manifestPath)) {
  console.error('dist/.vite/manifest.json is missing: run `npm run build` first.');
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const files = new Set(['index.html']);
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk) throw new Error(`${key} is not in the build manifest`);
  if (files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  // Static imports load with the chunk; dynamic ones only when used (ROUTES lists those we use).
  for (const imported of chunk.imports ?? []) visit(imported);
};
const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
visit(entry);
for (const route of ROUTES) visit(route);

const kb = (n) => (n / 1024).toFixed(1);
let raw = 0;
let gzip = 0;
const rows = [];
for (const file of files) {
  const bytes = readFileSync(dist + file);
  const gz = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gzip += gz;
  rows.push([file, gz]);
}
rows.sort((a, b) => b[1] - a[1]);
for (const [file, gz] of rows) console.log(`${kb(gz).padStart(8)} KB  ${file}`);
console.log(
  `first load (sign-in → inbox): ${files.size} files, ${kb(raw)} KB raw, ${kb(gzip)} KB gzip (limit ${kb(LIMIT)} KB gzip)`,
);
if (gzip > LIMIT) {
  console.error(`The first load is over budget by ${kb(gzip - LIMIT)} KB gzip.`);
  process.exit(1);
}
