import { describe, expect, it } from 'vitest';
import { SHORT_CODE_PATTERN, charCount, filterCanned, normalizeShortCode, templateParts, templateProblem } from './template';

describe('canned response hints', () => {
  it('accepts the short codes the server accepts', () => {
    for (const ok of ['greet', 'a', 'refund_2-days', 'x'.repeat(40)]) expect(SHORT_CODE_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', 'Greet', 'hi there', '退款', 'a.b', 'x'.repeat(41)]) expect(SHORT_CODE_PATTERN.test(bad)).toBe(false);
    expect(normalizeShortCode(' /greet ')).toBe('greet');
  });

  it('finds what the server refuses in a template', () => {
    expect(templateProblem('{{contact.name}}您好，我是{{ agent.name }}')).toBeNull();
    expect(templateProblem('no variables')).toBeNull();
    expect(templateProblem('hi {{ contact.name')).toEqual({ kind: 'unclosed' });
    expect(templateProblem('{{ contact.name }} {{ contact.password }}')).toEqual({ kind: 'unknown', name: 'contact.password' });
    expect(templateProblem('{{}}')).toEqual({ kind: 'unknown', name: '' });
  });

  it('counts characters as the server does', () => {
    expect(charCount('您好😀')).toBe(3);
  });

  it('cuts a template into text and known variables', () => {
    expect(templateParts('您好 {{contact.name}}，{{ x }}')).toEqual([
      { text: '您好 ' },
      { variable: 'contact.name' },
      { text: '，{{ x }}' },
    ]);
  });

  it('filters by short code or content', () => {
    const items = [
      { short_code: 'greet', content: 'Hello' },
      { short_code: 'refund', content: '退款到账' },
    ];
    expect(filterCanned(items, '/GRE').map((c) => c.short_code)).toEqual(['greet']);
    expect(filterCanned(items, '到账').map((c) => c.short_code)).toEqual(['refund']);
    expect(filterCanned(items, '  ')).toHaveLength(2);
  });
});
