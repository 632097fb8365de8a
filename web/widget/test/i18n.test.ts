import { describe, expect, it } from 'vitest';
import { matchLocale, messages, resolveLocale, translator } from '../src/i18n';

describe('i18n', () => {
  it('zh-CN and en have exactly the same keys', () => {
    const zh = Object.keys(messages['zh-CN']).sort();
    const en = Object.keys(messages.en).sort();
    expect(en).toEqual(zh);
  });

  it('no string is empty and placeholders match between languages', () => {
    const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(messages['zh-CN']) as Array<keyof (typeof messages)['en']>) {
      expect(messages['zh-CN'][key].trim(), key).not.toBe('');
      expect(messages.en[key].trim(), key).not.toBe('');
      expect(vars(messages.en[key]), key).toEqual(vars(messages['zh-CN'][key]));
    }
  });

  it('defaults to zh-CN and follows the browser, explicit choice first', () => {
    expect(resolveLocale(null, null)).toBe('zh-CN');
    expect(resolveLocale(null, 'en-US')).toBe('en');
    expect(resolveLocale(null, 'zh-TW')).toBe('zh-CN');
    expect(resolveLocale('en', 'zh-CN')).toBe('en');
    expect(resolveLocale(null, 'ja-JP', 'en')).toBe('en');
    expect(resolveLocale(null, 'ja-JP', null)).toBe('zh-CN');
    expect(matchLocale('fr')).toBeNull();
  });

  it('interpolates variables', () => {
    expect(translator('zh-CN')('typing', { name: '小王' })).toBe('小王 正在输入…');
    expect(translator('en')('unread_count', { count: 3 })).toBe('3 unread messages');
  });
});
