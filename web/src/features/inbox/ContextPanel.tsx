import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Avatar, Button, Empty, Skeleton, Tag, Tooltip, Typography } from 'antd';
import { ArrowLeftOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useContact, useContactConversations, useContactTag } from './queries';
import { contactName, initial } from './names';
import { readSource } from './source';
import { StatusTag } from './StatusTag';
import { ContactTickets } from './ContactTickets';
import { TagEditor } from './TagEditor';
import { readSettings } from '../channels/settings';
import { RoutingHistory } from '../routing/RoutingHistory';
import { ContactTodos } from '../todos/ContactTodos';
import { avatarColor } from '../users/UserAvatar';
import { describeError } from '../../api/errorText';
import { asObject, displayValue, safeHttpUrl } from '../../api/open';
import { formatDateTime, formatListTime } from '../../i18n/format';
import type { Channel, Conversation } from '../../api/types';
import styles from './Inbox.module.css';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className={styles.section} aria-label={title}>
      <h3 className={styles.sectionTitle}>{title}</h3>
      {children}
    </section>
  );
}

/** One label/value line; nothing when the value is empty. */
function Row({ label, value, href }: { label: string; value: string; href?: boolean }) {
  if (!value) return null;
  const url = href ? safeHttpUrl(value) : null;
  return (
    <div className={styles.kv}>
      <dt>{label}</dt>
      <dd title={value}>
        {url ? (
          <a href={url} target="_blank" rel="noopener noreferrer nofollow">
            {value}
          </a>
        ) : (
          value
        )}
      </dd>
    </div>
  );
}

export function ContextPanel({
  conversation,
  channel,
  onBack,
}: {
  conversation: Conversation;
  channel: Channel | undefined;
  /** Phones: back to the conversation. */
  onBack?: () => void;
}) {
  const { t } = useTranslation();
  const contact = useContact(conversation.contact_id);
  const history = useContactConversations(conversation.contact_id);
  const tag = useContactTag(conversation.contact_id);
  const source = readSource(conversation.source);
  const formLabels = new Map(readSettings(channel?.settings).pre_chat_form.map((f) => [f.name, f.label]));
  const name = contactName(t, conversation.contact_id, contact.data?.name);
  const attributes = Object.entries(asObject(contact.data?.attributes)).filter(([, v]) => displayValue(v) !== '');
  const past = (history.data ?? []).filter((c) => c.id !== conversation.id).sort((a, b) => b.id - a.id);
  const entry = source.entry;

  return (
    <aside className={styles.contextPane} aria-label={t('inbox.context.label')}>
      {onBack && (
        <div className={styles.paneBar}>
          <Button type="text" icon={<ArrowLeftOutlined />} onClick={onBack} aria-label={t('inbox.backToConversation')} />
          <Typography.Text strong>{t('inbox.context.label')}</Typography.Text>
        </div>
      )}
      <div className={styles.contextBody}>
        <div className={styles.contactHead}>
          <Avatar size={44} style={{ background: avatarColor(conversation.contact_id), flex: 'none', fontSize: 18 }}>
            {initial(name)}
          </Avatar>
          <div className={styles.contactTitle}>
            <Typography.Text strong className={styles.contactName} ellipsis>
              {name}
            </Typography.Text>
            <div className={styles.contactBadges}>
              {contact.data && (
                <Tag color={contact.data.returning ? 'purple' : 'green'} variant="filled">
                  {contact.data.returning ? t('inbox.context.returning') : t('inbox.context.new')}
                </Tag>
              )}
              {contact.data?.external_id && (
                <Tooltip title={t('inbox.context.verifiedHint')}>
                  <Tag color="blue" variant="filled" icon={<SafetyCertificateOutlined />}>
                    {t('inbox.context.verified')}
                  </Tag>
                </Tooltip>
              )}
            </div>
          </div>
        </div>

        {contact.isPending ? (
          <Skeleton active paragraph={{ rows: 3 }} title={false} />
        ) : contact.isError ? (
          <Typography.Text type="danger">{describeError(t, contact.error)}</Typography.Text>
        ) : (
          <>
            <dl className={styles.kvList}>
              <Row label={t('inbox.context.email')} value={contact.data.email} />
              <Row label={t('inbox.context.phone')} value={contact.data.phone} />
              <Row label={t('inbox.context.externalId')} value={contact.data.external_id ?? ''} />
              <Row label={t('inbox.context.firstSeen')} value={formatDateTime(contact.data.created_at)} />
              <Row label={t('inbox.context.lastSeen')} value={formatDateTime(contact.data.last_seen_at)} />
              <Row label={t('inbox.context.conversationCount')} value={String(contact.data.conversation_count)} />
            </dl>

            <Section title={t('inbox.context.tags')}>
              <TagEditor
                tags={contact.data.tags}
                busy={tag.isPending}
                addLabel={t('inbox.context.addTag')}
                onChange={(value, on) => tag.mutateAsync({ tag: value, on })}
              />
            </Section>

            <Section title={t('inbox.context.attributes')}>
              {attributes.length > 0 ? (
                <dl className={styles.kvList}>
                  {attributes.map(([key, value]) => (
                    <Row key={key} label={formLabels.get(key) ?? key} value={displayValue(value)} />
                  ))}
                </dl>
              ) : (
                <Typography.Text type="secondary" className={styles.none}>
                  {t('inbox.context.noAttributes')}
                </Typography.Text>
              )}
            </Section>
          </>
        )}

        <Section title={t('inbox.context.tickets')}>
          <ContactTickets contactId={conversation.contact_id} />
        </Section>

        <Section title={t('inbox.context.source')}>
          <dl className={styles.kvList}>
            <Row label={t('inbox.context.channel')} value={channel?.name ?? ''} />
            <Row label={t('inbox.context.entry')} value={entry ? entry.name || entry.key : ''} />
            <Row label={t('inbox.context.campaign')} value={entry?.campaign ?? ''} />
            <Row label={t('inbox.context.adPlan')} value={entry?.adPlan ?? ''} />
            <Row label={t('inbox.context.businessModule')} value={entry?.businessModule ?? ''} />
            <Row label={t('inbox.context.entryLandingPage')} value={entry?.landingPage ?? ''} href />
            <Row label={t('inbox.context.landingPage')} value={source.landingPage} href />
            <Row label={t('inbox.context.referrer')} value={source.referrer} href />
            {source.utm.map(({ key, value }) => (
              <Row key={key} label={`utm_${key}`} value={value} />
            ))}
            <Row label={t('inbox.context.device')} value={source.device ? t(`inbox.device.${source.device}`, { defaultValue: source.device }) : ''} />
            <Row label={t('inbox.context.language')} value={source.language} />
          </dl>
          {source.form.length > 0 && (
            <>
              <h4 className={styles.subTitle}>{t('inbox.context.form')}</h4>
              <dl className={styles.kvList}>
                {source.form.map(({ name: field, value }) => (
                  <Row key={field} label={formLabels.get(field) ?? field} value={value} />
                ))}
              </dl>
            </>
          )}
        </Section>

        <Section title={t('todos.panel.title')}>
          <ContactTodos conversation={conversation} />
        </Section>

        <Section title={t('routing.history.title')}>
          <RoutingHistory conversationId={conversation.id} />
        </Section>

        <Section title={t('inbox.context.pageViews')}>
          {contact.data && contact.data.page_views.length > 0 ? (
            <ol className={styles.trail}>
              {contact.data.page_views.map((view, i) => {
                const url = safeHttpUrl(view.url);
                return (
                  <li key={`${view.at}-${i}`}>
                    <div className={styles.trailTitle}>
                      {url ? (
                        <a href={url} target="_blank" rel="noopener noreferrer nofollow" title={view.url}>
                          {view.title || view.url}
                        </a>
                      ) : (
                        <span title={view.url}>{view.title || view.url}</span>
                      )}
                    </div>
                    <div className={styles.trailMeta}>
                      <time dateTime={view.at} title={formatDateTime(view.at)}>
                        {formatListTime(view.at)}
                      </time>
                      {view.title && <span className={styles.trailUrl}>{view.url}</span>}
                    </div>
                  </li>
                );
              })}
            </ol>
          ) : (
            <Typography.Text type="secondary" className={styles.none}>
              {t('inbox.context.noPageViews')}
            </Typography.Text>
          )}
        </Section>

        <Section title={t('inbox.context.history')}>
          {past.length > 0 ? (
            <ul className={styles.history}>
              {past.map((c) => (
                <li key={c.id}>
                  <Link to={`/inbox/${c.id}`} className={styles.historyRow}>
                    <span>#{c.number}</span>
                    <StatusTag status={c.status} />
                    <time dateTime={c.created_at} title={formatDateTime(c.created_at)}>
                      {formatListTime(c.created_at)}
                    </time>
                  </Link>
                </li>
              ))}
            </ul>
          ) : history.isPending ? (
            <Skeleton active paragraph={{ rows: 1 }} title={false} />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inbox.context.noHistory')} className={styles.smallEmpty} />
          )}
        </Section>
      </div>
    </aside>
  );
}
