import { describe, expect, it } from 'vitest';
import zhCN from './zh-CN.json';
import en from './en.json';
import i18n, { DEFAULT_LOCALE } from './index';

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`),
  );
}

function placeholders(tree: Tree): Map<string, string[]> {
  const flat = new Map<string, string[]>();
  const walk = (node: Tree, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') flat.set(`${prefix}${key}`, [...value.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort());
      else walk(value, `${prefix}${key}.`);
    }
  };
  walk(tree, '');
  return flat;
}

describe('translations', () => {
  it('zh-CN and en have identical key sets', () => {
    expect(keys(en as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
  });

  it('zh-CN and en use the same placeholders for each key', () => {
    expect(Object.fromEntries(placeholders(en as Tree))).toEqual(Object.fromEntries(placeholders(zhCN as Tree)));
  });

  it('has no empty strings', () => {
    const empty = (tree: Tree) => keys(tree).filter((key) => i18n.getResource('en', 'translation', key) === '');
    expect(empty(en as Tree)).toEqual([]);
    expect(keys(zhCN as Tree).filter((key) => i18n.getResource('zh-CN', 'translation', key) === '')).toEqual([]);
  });

  it('defaults to zh-CN', () => {
    expect(DEFAULT_LOCALE).toBe('zh-CN');
    expect(i18n.language).toBe('zh-CN');
  });
});
