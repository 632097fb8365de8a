export const DEFAULT_COLOUR = '#2563eb';

/** A safe CSS colour from the channel config: #rgb or #rrggbb only. */
export function channelColour(value: string | null | undefined): string {
  const v = (value ?? '').trim();
  if (/^#[0-9a-f]{6}$/i.test(v)) return v.toLowerCase();
  if (/^#[0-9a-f]{3}$/i.test(v)) {
    return ('#' + v.slice(1).split('').map((c) => c + c).join('')).toLowerCase();
  }
  return DEFAULT_COLOUR;
}

/** Black or white text, whichever reads better on `hex`. */
export function contrastText(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const lum = 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  return lum > 0.45 ? '#111827' : '#ffffff';
}
