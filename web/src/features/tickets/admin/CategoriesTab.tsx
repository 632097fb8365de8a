import { useEffect, useState } from 'react';
import { Button, Checkbox, Flex, Form, Input, Select, Typography, type TableProps } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { AdminList, FormModal, useSaveOutcome } from './AdminCrud';
import { RowActions } from './RowActions';
import { FIELD_KINDS, readFieldDefs, type FieldDef } from '../customFields';
import { useCategories, useDeleteCategory, useSaveCategory } from '../queries';
import { toOpenObject } from '../../../api/open';
import type { TicketCategory } from '../../../api/types';

type Values = { key: string; name: string; fields: FieldDef[] };

/** `fields[2].options[0]` → that field's options input. */
export function categoryFormPath(field: string): Array<string | number> | null {
  if (field === 'key' || field === 'name') return [field];
  const f = /^fields\[(\d+)\]\.(key|label|kind|required|options)/.exec(field);
  return f ? ['fields', Number(f[1]), f[2]] : null;
}

function CategoryModal({ category, open, onClose }: { category: TicketCategory | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const save = useSaveCategory();

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({ key: category?.key ?? '', name: category?.name ?? '', fields: readFieldDefs(category?.fields) });
  }, [open, category, form]);

  const outcome = useSaveOutcome(form, categoryFormPath, onClose);
  const onFinish = (v: Values) => {
    const fields = (v.fields ?? []).map((f) => ({
      key: f.key,
      label: f.label,
      kind: f.kind,
      required: f.required ?? false,
      options: f.kind === 'list' ? (f.options ?? []) : [],
    }));
    save.mutate({ id: category?.id ?? null, body: { key: v.key, name: v.name, fields: fields.map(toOpenObject) } }, outcome);
  };

  return (
    <FormModal
      open={open}
      title={category ? t('categories.edit', { name: category.name }) : t('categories.create')}
      form={form}
      pending={save.isPending}
      onClose={onClose}
      width={760}
    >
      <Form<Values> form={form} layout="vertical" onFinish={onFinish} disabled={save.isPending} requiredMark={false}>
        <Flex gap={12}>
          <Form.Item name="key" label={t('categories.key')} extra={t('categories.keyHint')} rules={[{ required: true, message: t('validation.required') }]} style={{ flex: 1 }}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="name" label={t('categories.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]} style={{ flex: 1 }}>
            <Input maxLength={100} />
          </Form.Item>
        </Flex>
        <Typography.Text strong>{t('categories.fields')}</Typography.Text>
        <Form.List name="fields">
          {(items, { add, remove }) => (
            <Flex vertical gap={4} style={{ marginTop: 8 }}>
              {items.map((item, index) => (
                <Flex key={item.key} gap={8} align="flex-start" wrap role="group" aria-label={t('categories.fieldN', { n: index + 1 })}>
                  <Form.Item name={[item.name, 'key']} rules={[{ required: true, message: t('validation.required') }]}>
                    <Input placeholder={t('categories.fieldKey')} aria-label={t('categories.fieldKey')} maxLength={40} style={{ width: 130 }} />
                  </Form.Item>
                  <Form.Item name={[item.name, 'label']} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
                    <Input placeholder={t('categories.fieldLabel')} aria-label={t('categories.fieldLabel')} maxLength={100} style={{ width: 140 }} />
                  </Form.Item>
                  <Form.Item name={[item.name, 'kind']}>
                    <Select aria-label={t('categories.fieldKind')} style={{ width: 110 }} options={FIELD_KINDS.map((k) => ({ value: k, label: t(`categories.kinds.${k}`) }))} />
                  </Form.Item>
                  <Form.Item noStyle dependencies={[['fields', item.name, 'kind']]}>
                    {({ getFieldValue }) =>
                      getFieldValue(['fields', item.name, 'kind']) === 'list' && (
                        <Form.Item name={[item.name, 'options']} rules={[{ required: true, message: t('validation.required') }]}>
                          <Select<string[]>
                            mode="tags"
                            open={false}
                            tokenSeparators={[',', '，']}
                            placeholder={t('categories.options')}
                            aria-label={t('categories.options')}
                            style={{ width: 180 }}
                          />
                        </Form.Item>
                      )
                    }
                  </Form.Item>
                  <Form.Item name={[item.name, 'required']} valuePropName="checked">
                    <Checkbox>{t('categories.required')}</Checkbox>
                  </Form.Item>
                  <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(item.name)} aria-label={t('categories.removeField', { n: index + 1 })} />
                </Flex>
              ))}
              <div>
                <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({ key: '', label: '', kind: 'text', required: false, options: [] })}>
                  {t('categories.addField')}
                </Button>
              </div>
            </Flex>
          )}
        </Form.List>
      </Form>
    </FormModal>
  );
}

type Editing = { open: false } | { open: true; category: TicketCategory | null };

/** Ticket categories and the typed custom fields each one asks for. */
export function CategoriesTab() {
  const { t } = useTranslation();
  const categories = useCategories();
  const remove = useDeleteCategory();
  const [editing, setEditing] = useState<Editing>({ open: false });

  const columns: TableProps<TicketCategory>['columns'] = [
    { title: t('categories.name'), dataIndex: 'name' },
    { title: t('categories.key'), dataIndex: 'key', render: (_, c) => <Typography.Text code>{c.key}</Typography.Text> },
    {
      title: t('categories.fields'),
      key: 'fields',
      render: (_, c) =>
        readFieldDefs(c.fields)
          .map((f) => `${f.label} (${t(`categories.kinds.${f.kind}`, { defaultValue: f.kind })}${f.required ? ', ' + t('categories.required') : ''})`)
          .join(t('tickets.listSeparator')) || '—',
    },
    {
      title: t('common.actions'),
      key: 'actions',
      align: 'right',
      render: (_, c) => (
        <RowActions
          name={c.name}
          onEdit={() => setEditing({ open: true, category: c })}
          onDelete={() => remove.mutateAsync(c.id)}
        />
      ),
    },
  ];

  return (
    <>
      <AdminList<TicketCategory>
        description={t('categories.description')}
        createLabel={t('categories.create')}
        onCreate={() => setEditing({ open: true, category: null })}
        columns={columns}
        query={categories}
        emptyText={t('categories.empty')}
      />
      <CategoryModal open={editing.open} category={editing.open ? editing.category : null} onClose={() => setEditing({ open: false })} />
    </>
  );
}
