import { describe, expect, it } from 'vitest';
import { formatSize, readAttachment, readSource } from './source';
import { splitLinks } from './RichText';
import { safeHttpUrl } from '../../api/open';

describe('conversation source and attachments', () => {
  it('reads the source the server records', () => {
    const source = readSource({
      channel: 'web_widget',
      channel_id: 3,
      entry: { id: 1, key: 'spring', name: '春季促销', campaign: 'c', ad_plan: 'p', business_module: 'm', landing_page: 'https://x.example/l' },
      utm: { medium: 'cpc', source: 'baidu', bogus: 'x' },
      landing_page: 'https://x.example/?a=1',
      referrer: 'https://www.baidu.com/',
      device: 'mobile',
      language: 'en',
      form: { company: 'Acme', empty: '', count: 3 },
    });
    expect(source.channelId).toBe(3);
    expect(source.entry).toEqual({
      key: 'spring',
      name: '春季促销',
      campaign: 'c',
      adPlan: 'p',
      businessModule: 'm',
      landingPage: 'https://x.example/l',
    });
    expect(source.utm).toEqual([
      { key: 'source', value: 'baidu' },
      { key: 'medium', value: 'cpc' },
    ]);
    expect(source.form).toEqual([
      { name: 'company', value: 'Acme' },
      { name: 'count', value: '3' },
    ]);
    expect(readSource(null)).toMatchObject({ entry: null, utm: [], form: [], device: '' });
  });

  it('reads attachments and sizes', () => {
    expect(readAttachment({ id: 5, url: '/api/v1/files/5?sig=a', mime: 'image/png', size: 2048, name: 'a.png' })).toEqual({
      id: 5,
      url: '/api/v1/files/5?sig=a',
      mime: 'image/png',
      size: 2048,
      name: 'a.png',
    });
    expect(readAttachment(null)).toBeNull();
    expect(readAttachment({ name: 'no url' })).toBeNull();
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(3 * 1024 * 1024)).toBe('3.0 MB');
  });

  it('links only http(s) URLs in chat text', () => {
    expect(splitLinks('看这里 https://shop.example.com/a?b=1。谢谢')).toEqual([
      { text: '看这里 ', href: null },
      { text: 'https://shop.example.com/a?b=1', href: 'https://shop.example.com/a?b=1' },
      { text: '。谢谢', href: null },
    ]);
    expect(splitLinks('javascript:alert(1) <b>x</b>')).toEqual([{ text: 'javascript:alert(1) <b>x</b>', href: null }]);
    expect(splitLinks('(see http://a.example/x).')[1]).toEqual({ text: 'http://a.example/x', href: 'http://a.example/x' });
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('/api/v1/files/1?sig=x', 'https://support.example.com')).toBe('https://support.example.com/api/v1/files/1?sig=x');
  });
});
