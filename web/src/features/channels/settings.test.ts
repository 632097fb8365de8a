import { describe, expect, it, vi } from 'vitest';
import type { FormInstance } from 'antd';
import { channelFormPath } from './ChannelFormModal';
import { formPathOf, readSettings } from './settings';
import { applyFieldErrorPaths } from '../../api/fieldErrors';
import { ApiError } from '../../api/errors';

describe('channel settings', () => {
  it('reads settings defensively', () => {
    expect(readSettings(undefined)).toEqual({ greeting: '', colour: '#1677ff', locale: 'zh-CN', pre_chat_form: [] });
    expect(
      readSettings({
        greeting: 'hi',
        colour: '#123456',
        locale: 'en',
        pre_chat_form: [
          { name: 'plan', label: '套餐', kind: 'select', required: true, options: ['a', 5, 'b'] },
          { name: 'x', label: 'X', kind: 'weird' },
          'junk',
        ],
      }),
    ).toEqual({
      greeting: 'hi',
      colour: '#123456',
      locale: 'en',
      pre_chat_form: [
        { name: 'plan', label: '套餐', kind: 'select', required: true, options: ['a', 'b'] },
        { name: 'x', label: 'X', kind: 'text', required: false },
        { name: '', label: '', kind: 'text', required: false },
      ],
    });
  });

  it('turns API field paths into form name paths', () => {
    expect(formPathOf('settings.pre_chat_form[1].kind')).toEqual(['pre_chat_form', 1, 'kind']);
    expect(formPathOf('settings.colour')).toEqual(['colour']);
    expect(formPathOf('members[2].user_id', '')).toEqual(['members', 2, 'user_id']);
    expect(formPathOf('settings.pre_chat_form[x]')).toBeNull();
    expect(channelFormPath('name')).toEqual(['name']);
    expect(channelFormPath('settings.pre_chat_form')).toEqual(['pre_chat_form']);
    expect(channelFormPath('settings.pre_chat_form[0].options')).toEqual(['pre_chat_form', 0, 'options']);
    expect(channelFormPath('settings.unknown')).toBeNull();
    expect(channelFormPath('kind')).toBeNull();
  });

  it('puts 422 details on nested form fields', () => {
    const setFields = vi.fn();
    const form = { setFields } as unknown as FormInstance;
    const error = new ApiError({
      status: 422,
      code: 'validation_failed',
      message: 'The request is invalid.',
      details: [
        { field: 'settings.pre_chat_form[1].label', message: 'must be 1–100 characters' },
        { field: 'settings.pre_chat_form[1].kind', message: 'must be one of: text, email, phone, textarea, select' },
        { field: 'settings.pre_chat_form[1].kind', message: 'second' },
      ],
    });
    expect(applyFieldErrorPaths(form, error, channelFormPath)).toBe(true);
    expect(setFields).toHaveBeenCalledWith([
      { name: ['pre_chat_form', 1, 'label'], errors: ['must be 1–100 characters'] },
      { name: ['pre_chat_form', 1, 'kind'], errors: ['must be one of: text, email, phone, textarea, select', 'second'] },
    ]);

    const partly = new ApiError({
      status: 422,
      code: 'validation_failed',
      message: 'bad',
      details: [
        { field: 'name', message: 'must not be empty' },
        { field: 'something.else', message: '?' },
      ],
    });
    expect(applyFieldErrorPaths(form, partly, channelFormPath)).toBe(false);
    expect(applyFieldErrorPaths(form, new Error('x'), channelFormPath)).toBe(false);
  });
});
