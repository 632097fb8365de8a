import { describe, expect, it } from 'vitest';
import {
  baseUrlFromScript,
  channelKeyFromPath,
  detectDevice,
  parseEntry,
  parseUtm,
  readScriptOptions,
  websocketUrl,
} from '../src/env';

describe('utm', () => {
  it('reads the five utm parameters', () => {
    expect(
      parseUtm('?utm_source=baidu&utm_medium=cpc&utm_campaign=double11&utm_term=%E5%AE%A2%E6%9C%8D&utm_content=banner_a&x=1'),
    ).toEqual({ source: 'baidu', medium: 'cpc', campaign: 'double11', term: '客服', content: 'banner_a' });
  });

  it('keeps only the ones present and non-empty', () => {
    expect(parseUtm('?utm_source=wechat&utm_medium=&utm_campaign=%20')).toEqual({ source: 'wechat' });
  });

  it('is undefined without any', () => {
    expect(parseUtm('')).toBeUndefined();
    expect(parseUtm('?page=2')).toBeUndefined();
  });

  it('decodes plus signs and clips very long values', () => {
    expect(parseUtm('?utm_campaign=spring+sale')).toEqual({ campaign: 'spring sale' });
    expect(parseUtm(`?utm_source=${'a'.repeat(800)}`)?.source).toHaveLength(500);
  });
});

describe('entry', () => {
  it('takes yk_entry from the query string', () => {
    expect(parseEntry('?yk_entry=order_detail')).toBe('order_detail');
  });

  it('falls back to the script data-entry attribute', () => {
    expect(parseEntry('?utm_source=x', 'pricing')).toBe('pricing');
  });

  it('prefers the query parameter over the attribute', () => {
    expect(parseEntry('?yk_entry=ad_plan_7', 'pricing')).toBe('ad_plan_7');
  });

  it('is undefined when neither is set', () => {
    expect(parseEntry('', null)).toBeUndefined();
    expect(parseEntry('?yk_entry=', '  ')).toBeUndefined();
  });
});

describe('device', () => {
  it('detects phones and WeChat by user agent', () => {
    expect(detectDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148', 1200)).toBe('mobile');
    expect(detectDevice('Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.47', 1200)).toBe('mobile');
  });

  it('uses the viewport width otherwise', () => {
    const desktop = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0';
    expect(detectDevice(desktop, 1280)).toBe('desktop');
    expect(detectDevice(desktop, 500)).toBe('mobile');
  });
});

describe('urls', () => {
  it('derives the server base from the script src', () => {
    expect(baseUrlFromScript('https://kf.example.com/widget.js', 'https://shop.example.org/')).toBe('https://kf.example.com/');
    expect(baseUrlFromScript('https://example.com/support/widget.js?v=3', 'https://x.org/')).toBe('https://example.com/support/');
    expect(baseUrlFromScript('/widget.js', 'http://127.0.0.1:8080/chat/abc')).toBe('http://127.0.0.1:8080/');
  });

  it('follows the base protocol for the socket', () => {
    expect(websocketUrl('https://kf.example.com/', 'tok en')).toBe('wss://kf.example.com/api/v1/widget/ws?token=tok+en');
    expect(websocketUrl('http://127.0.0.1:8080/', 'abc')).toBe('ws://127.0.0.1:8080/api/v1/widget/ws?token=abc');
  });

  it('reads the channel key from the last path segment in H5 mode', () => {
    expect(channelKeyFromPath('/chat/ch_9f2c')).toBe('ch_9f2c');
    expect(channelKeyFromPath('/chat/ch_9f2c/')).toBe('ch_9f2c');
    expect(channelKeyFromPath('/prefix/chat/%E5%AE%A2')).toBe('客');
    expect(channelKeyFromPath('/')).toBeNull();
  });
});

describe('script options', () => {
  function script(attrs: Record<string, string>): HTMLScriptElement {
    const s = document.createElement('script');
    for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v);
    return s;
  }

  it('reads channel, locale and entry in embed mode', () => {
    const loc = new URL('https://shop.example.org/p/1?yk_entry=x') as unknown as Location;
    const opts = readScriptOptions(
      script({ src: 'https://kf.example.com/widget.js', 'data-channel': 'ck1', 'data-locale': 'en', 'data-entry': 'product' }),
      loc,
    );
    expect(opts).toEqual({ base: 'https://kf.example.com/', channelKey: 'ck1', mode: 'embed', locale: 'en', entry: 'product' });
  });

  it('takes the channel from the path in H5 mode', () => {
    const loc = new URL('https://kf.example.com/chat/ck2?utm_source=qr') as unknown as Location;
    const opts = readScriptOptions(script({ src: 'https://kf.example.com/widget.js', 'data-mode': 'h5' }), loc);
    expect(opts.mode).toBe('h5');
    expect(opts.channelKey).toBe('ck2');
    expect(opts.base).toBe('https://kf.example.com/');
  });

  it('honours data-server when the script is hosted elsewhere', () => {
    const loc = new URL('https://shop.example.org/') as unknown as Location;
    const opts = readScriptOptions(
      script({ src: 'https://cdn.example.net/yk/widget.js', 'data-channel': 'c', 'data-server': 'https://kf.example.com' }),
      loc,
    );
    expect(opts.base).toBe('https://kf.example.com/');
  });
});
