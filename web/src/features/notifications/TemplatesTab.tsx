import { useMemo, useState } from 'react';
import { Select, Typography, type TableProps } from 'antd';
import { useTranslation } from 'react-i18next';
import type { NotificationTemplate } from '../../api/types';
import { asObject } from '../../api/open';
import { AdminList } from '../tickets/admin/AdminCrud';
import { RowActions } from '../tickets/admin/RowActions';
import { useCategories } from '../tickets/queries';
import { TemplateDrawer } from './TemplateDrawer';
import { useDeleteNotifyTemplate, useNotifyTemplates, useTemplateVariants } from './queries';
import styles from './Notifications.module.css';

/** Notice texts per key, language, customer kind, ticket category and medium (N5). */
export function TemplatesTab() {
  const { t } = useTranslation();
  const templates = useNotifyTemplates();
  const categories = useCategories();
  const remove = useDeleteNotifyTemplate();
  const [key, setKey] = useState<string | null>(null);
  const [editing, setEditing] = useState<NotificationTemplate | null>(null);
  const [open, setOpen] = useState(false);

  const variants = useTemplateVariants(key);
  const keys = useMemo(() => [...new Set((templates.data?.items ?? []).map((tpl) => tpl.key))].sort(), [templates.data]);
  const variables = useMemo(() => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(asObject(templates.data?.variables))) if (typeof v === 'string') out[k] = v;
    return out;
  }, [templates.data]);
  const categoryName = (id: number) =>
    id === 0 ? t('notifications.templates.anyCategory') : (categories.data?.find((c) => c.id === id)?.name ?? `#${id}`);

  const columns: TableProps<NotificationTemplate>['columns'] = [
    { title: t('notifications.templates.key'), render: (_, tpl) => <code>{tpl.key}</code> },
    { title: t('notifications.templates.locale'), render: (_, tpl) => t(`language.${tpl.locale}`, { defaultValue: tpl.locale }) },
    { title: t('notifications.templates.audience'), render: (_, tpl) => t(`notifications.audiences.${tpl.audience}`, { defaultValue: tpl.audience }) },
    { title: t('notifications.templates.category'), render: (_, tpl) => categoryName(tpl.category_id) },
    { title: t('notifications.templates.medium'), render: (_, tpl) => t(`notifications.media.${tpl.medium}`, { defaultValue: tpl.medium }) },
    {
      title: t('notifications.templates.content'),
      render: (_, tpl) => (
        <Typography.Text ellipsis className={styles.code} style={{ maxWidth: 320 }}>
          {tpl.subject || tpl.body}
        </Typography.Text>
      ),
    },
    {
      title: t('common.actions'),
      width: 110,
      render: (_, tpl) => (
        <RowActions
          name={`${tpl.key} · ${tpl.locale} · ${tpl.medium}`}
          onEdit={() => {
            setEditing(tpl);
            setOpen(true);
          }}
          onDelete={() => remove.mutateAsync(tpl.id)}
        />
      ),
    },
  ];

  return (
    <>
      <Select
        id="notification-template-key-filter"
        allowClear
        showSearch
        placeholder={t('notifications.templates.filterKey')}
        aria-label={t('notifications.templates.filterKey')}
        value={key}
        onChange={(v: string | undefined) => setKey(v ?? null)}
        options={keys.map((k) => ({ value: k, label: k }))}
        style={{ width: 260, marginBottom: 12 }}
      />
      <AdminList<NotificationTemplate>
        description={t('notifications.templates.description')}
        createLabel={t('notifications.templates.create')}
        onCreate={() => {
          setEditing(null);
          setOpen(true);
        }}
        columns={columns}
        query={variants}
        emptyText={t('notifications.templates.empty')}
      />
      <TemplateDrawer open={open} template={editing} variables={variables} onClose={() => setOpen(false)} />
    </>
  );
}
