// Draws the app icons (web app manifest, Apple touch icon) from the brand mark in
// public/favicon.svg — a blue rounded square with a white "Y" — as PNGs, without any image
// library: each pixel's coverage comes from its distance to the shapes, sampled 4×4.
// Run `node scripts/icons.mjs` after changing the mark; the PNGs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BLUE = [0x1f, 0x6f, 0xeb];
const WHITE = [0xff, 0xff, 0xff];
// favicon.svg, in its 32×32 units: the "Y" strokes and their width.
const STROKES = [
  [9, 10, 16, 18],
  [23, 10, 16, 18],
  [16, 18, 16, 24],
];
const STROKE = 3;

function segmentDistance(px, py, [x1, y1, x2, y2]) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

function insideRoundedSquare(x, y, size, radius) {
  const cx = Math.min(Math.max(x, radius), size - radius);
  const cy = Math.min(Math.max(y, radius), size - radius);
  return Math.hypot(x - cx, y - cy) <= radius;
}

/**
 * RGBA pixels of the icon. `maskable` fills the whole square (the platform applies its own mask)
 * and shrinks the mark into the safe zone, the inner 80 %. `badge` is the "Y" alone on
 * transparency (Android shows a notification badge's alpha only).
 */
function draw(size, { maskable = false, badge = false } = {}) {
  const pixels = Buffer.alloc(size * size * 4);
  const unit = size / 32;
  const scale = maskable ? 0.72 : 1;
  const offset = (32 - 32 * scale) / 2;
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const px = x + (sx + 0.5) / n;
          const py = y + (sy + 0.5) / n;
          if (!maskable && !insideRoundedSquare(px, py, size, 8 * unit)) continue;
          bg++;
          // Back to the mark's 32-unit space.
          const mx = (px / unit - offset) / scale;
          const my = (py / unit - offset) / scale;
          if (STROKES.some((s) => segmentDistance(mx, my, s) <= STROKE / 2)) fg++;
        }
      }
      const i = (y * size + x) * 4;
      const f = bg ? fg / bg : 0;
      if (badge) {
        pixels.fill(0xff, i, i + 3);
        pixels[i + 3] = Math.round((fg / (n * n)) * 255);
        continue;
      }
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(BLUE[c] * (1 - f) + WHITE[c] * f);
      pixels[i + 3] = Math.round((bg / (n * n)) * 255);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function png(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  // Each scanline starts with filter type 0 (none).
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) pixels.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = fileURLToPath(new URL('../public/icons/', import.meta.url));
mkdirSync(out, { recursive: true });
const icons = [
  ['icon-192.png', 192, {}],
  ['icon-512.png', 512, {}],
  ['maskable-512.png', 512, { maskable: true }],
  ['apple-touch-icon.png', 180, { maskable: true }],
  ['badge-96.png', 96, { badge: true }],
];
for (const [name, size, options] of icons) {
  writeFileSync(out + name, png(size, draw(size, options)));
  console.log(`public/icons/${name} (${size}×${size})`);
}
