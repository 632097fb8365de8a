import { describe, expect, it } from 'vitest';
import { linkify, safeHttpUrl } from '../src/linkify';
import { validateField, validateForm } from '../src/validation';

describe('linkify', () => {
  it('splits text and http(s) links', () => {
    expect(linkify('看这里 https://example.com/a?b=1。谢谢')).toEqual([
      { kind: 'text', text: '看这里 ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: '。谢谢' },
    ]);
  });

  it('trims trailing punctuation', () => {
    expect(linkify('(see http://x.test/path).')[1]).toEqual({ kind: 'link', text: 'http://x.test/path', href: 'http://x.test/path' });
  });

  it('never links other schemes', () => {
    expect(linkify('javascript:alert(1) data:text/html,hi')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) data:text/html,hi' },
    ]);
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('/files/1', 'https://kf.example.com/')).toBe('https://kf.example.com/files/1');
  });
});

describe('pre-chat form validation', () => {
  const fields = [
    { name: 'name', label: '姓名', kind: 'text' as const, required: true },
    { name: 'email', label: '邮箱', kind: 'email' as const, required: false },
    { name: 'phone', label: '手机', kind: 'phone' as const, required: true },
    { name: 'topic', label: '问题类型', kind: 'select' as const, required: true, options: ['订单', '售后'] },
    { name: 'detail', label: '描述', kind: 'textarea' as const, required: false },
  ];

  it('requires required fields', () => {
    expect(validateForm(fields, {})).toEqual({ name: 'form_required', phone: 'form_required', topic: 'form_required' });
    expect(validateField(fields[0], '   ')).toBe('form_required');
  });

  it('checks email and phone formats, optional fields may stay empty', () => {
    expect(validateField(fields[1], '')).toBeNull();
    expect(validateField(fields[1], 'a@b')).toBe('form_invalid_email');
    expect(validateField(fields[1], 'li.lei@example.cn')).toBeNull();
    expect(validateField(fields[2], '138-0013-8000')).toBeNull();
    expect(validateField(fields[2], '+86 138 0013 8000')).toBeNull();
    expect(validateField(fields[2], '12ab34')).toBe('form_invalid_phone');
    expect(validateField(fields[2], '123')).toBe('form_invalid_phone');
  });

  it('accepts a complete form', () => {
    expect(validateForm(fields, { name: '李雷', phone: '13800138000', topic: '订单' })).toEqual({});
  });
});
