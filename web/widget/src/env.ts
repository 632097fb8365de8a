// Everything the widget learns from the page it runs in: script attributes, URL, device.

import type { PageInfo, Utm } from './types';

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

function clip(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value;
}

function params(search: string): URLSearchParams {
  try {
    return new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  } catch {
    return new URLSearchParams();
  }
}

/** utm_source … utm_content from a query string; undefined when none is present. */
export function parseUtm(search: string): Utm | undefined {
  const q = params(search);
  const utm: Utm = {};
  let any = false;
  for (const key of UTM_KEYS) {
    const value = q.get(`utm_${key}`)?.trim();
    if (value) {
      utm[key] = clip(value, 500);
      any = true;
    }
  }
  return any ? utm : undefined;
}

/**
 * The business entry point: the `yk_entry` query parameter (a campaign link's own value) wins
 * over the script's data-entry attribute (the site's default for that page).
 */
export function parseEntry(search: string, dataEntry?: string | null): string | undefined {
  const fromQuery = params(search).get('yk_entry')?.trim();
  if (fromQuery) return clip(fromQuery, 500);
  const fromAttr = dataEntry?.trim();
  return fromAttr ? clip(fromAttr, 500) : undefined;
}

const MOBILE_UA = /Mobi|Android|iPhone|iPad|iPod|MicroMessenger|HarmonyOS|Windows Phone|Opera Mini|IEMobile/i;

export function detectDevice(userAgent: string, viewportWidth: number): 'mobile' | 'desktop' {
  if (MOBILE_UA.test(userAgent)) return 'mobile';
  if (viewportWidth > 0 && viewportWidth < 768) return 'mobile';
  return 'desktop';
}

export function pageInfo(doc: Document, loc: Location): PageInfo {
  const page: PageInfo = { url: clip(loc.href, 2048) };
  if (doc.title) page.title = clip(doc.title, 500);
  if (doc.referrer) page.referrer = clip(doc.referrer, 2048);
  return page;
}

/** H5 mode: `/chat/{channel_key}` → `channel_key` (last non-empty path segment). */
export function channelKeyFromPath(pathname: string): string | null {
  const segments = pathname.split('/').filter((s) => s.length > 0);
  const last = segments[segments.length - 1];
  if (!last) return null;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** The server base URL (always ending in `/`) from the widget's own script URL. */
export function baseUrlFromScript(src: string, pageHref: string): string {
  const url = new URL(src, pageHref);
  url.search = '';
  url.hash = '';
  return new URL('.', url).href;
}

export function normaliseBase(server: string, pageHref: string): string {
  const url = new URL(server, pageHref);
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** ws:// or wss:// following the protocol of the server base URL. */
export function websocketUrl(base: string, token: string): string {
  const url = new URL('api/v1/widget/ws', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  return url.href;
}

export interface ScriptOptions {
  base: string;
  channelKey: string | null;
  mode: 'embed' | 'h5';
  locale: string | null;
  entry: string | null;
}

/**
 * Reads the embed's settings from its script tag. `data-channel` names the channel (in H5 mode
 * the channel comes from the page path); `data-server` optionally overrides the server URL when
 * the script itself is hosted elsewhere.
 */
export function readScriptOptions(script: HTMLScriptElement | null, loc: Location): ScriptOptions {
  const attr = (name: string) => script?.getAttribute(name)?.trim() || null;
  const mode = attr('data-mode') === 'h5' ? 'h5' : 'embed';
  const server = attr('data-server');
  const src = script?.src || '';
  let base: string;
  if (server) base = normaliseBase(server, loc.href);
  else if (src) base = baseUrlFromScript(src, loc.href);
  else base = new URL('/', loc.href).href;
  const channelKey = mode === 'h5' ? channelKeyFromPath(loc.pathname) : attr('data-channel');
  return { base, channelKey, mode, locale: attr('data-locale'), entry: attr('data-entry') };
}

/** Finds our script tag: document.currentScript while executing, else by its attributes. */
export function findOwnScript(doc: Document): HTMLScriptElement | null {
  const current = doc.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  const tagged = doc.querySelector<HTMLScriptElement>('script[data-channel], script[data-mode="h5"]');
  if (tagged) return tagged;
  const scripts = Array.from(doc.getElementsByTagName('script'));
  return scripts.find((s) => /\/widget\.js(\?|#|$)/.test(s.src)) ?? null;
}
