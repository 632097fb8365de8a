import { Alert, Card, Spin, Typography } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/errors';
import { describeError } from '../../api/errorText';
import { templateErrorPosition } from './model';
import { previewTemplate } from './queries';
import { useDebounced } from './useDebounced';
import styles from './Notifications.module.css';

/** How long typing must pause before the preview is asked for. */
export const PREVIEW_DELAY_MS = 400;

/**
 * The live preview of a subject and body: rendered by the server for a sample ticket (or
 * `ticketId`) and masked like a real notice; compile errors are listed with line and column.
 */
export function TemplatePreview({ subject, body, ticketId }: { subject: string; body: string; ticketId: number | null }) {
  const { t } = useTranslation();
  const input = useDebounced({ subject, body, ticketId }, PREVIEW_DELAY_MS);
  const preview = useQuery({
    queryKey: ['notifications', 'preview', input],
    enabled: input.body.trim() !== '',
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: Infinity,
    queryFn: () =>
      previewTemplate({ subject: input.subject, body: input.body, ...(input.ticketId !== null ? { ticket_id: input.ticketId } : {}) }),
  });

  const problems =
    preview.isError && isApiError(preview.error) && preview.error.details.length > 0
      ? preview.error.details.map((d) => {
          const at = templateErrorPosition(d.message);
          const where = t(`notifications.templates.fields.${d.field}`, { defaultValue: d.field });
          return at
            ? t('notifications.templates.errorAt', { field: where, line: at.line, column: at.column, message: at.text })
            : `${where}: ${d.message}`;
        })
      : null;

  return (
    <Card
      size="small"
      title={t('notifications.templates.preview')}
      extra={preview.isFetching && <Spin size="small" aria-label={t('notifications.templates.previewing')} />}
      data-testid="template-preview"
    >
      {input.body.trim() === '' ? (
        <Typography.Text type="secondary">{t('notifications.templates.previewEmpty')}</Typography.Text>
      ) : problems ? (
        <Alert
          type="error"
          showIcon
          title={t('notifications.templates.compileErrors')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {problems.map((p, i) => (
                <li key={i}>{p}</li>
              ))}
            </ul>
          }
        />
      ) : preview.isError ? (
        <Alert type="error" showIcon title={describeError(t, preview.error)} />
      ) : preview.data ? (
        <>
          {preview.data.subject && <div className={styles.previewSubject}>{preview.data.subject}</div>}
          {/* Rendered text, shown as text: a template cannot put markup on this page. */}
          <pre className={styles.previewBody}>{preview.data.body}</pre>
        </>
      ) : (
        <Spin />
      )}
    </Card>
  );
}
