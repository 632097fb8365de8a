import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Button, Empty, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useTickets, useWorkflow } from '../tickets/queries';
import { SlaMetricTag, TicketPriorityTag, TicketStateTag } from '../tickets/TicketTags';
import { headlineStanding, readSla } from '../tickets/sla';
import { stateName } from '../tickets/workflow';
import { useNow } from '../routing/useNow';
import { describeError } from '../../api/errorText';
import { formatDateTime, formatListTime } from '../../i18n/format';
import type { Ticket } from '../../api/types';
import styles from './Inbox.module.css';

/** How many of the contact's tickets the panel shows before "show all". */
export const SHOWN = 5;

const DONE = new Set(['resolved', 'closed']);

/** Unresolved tickets before resolved and closed ones; within each, the server's order (newest first). */
export function sortContactTickets(tickets: Ticket[]): Ticket[] {
  const done = (ticket: Ticket) => (DONE.has(ticket.status_kind) ? 1 : 0);
  return [...tickets].sort((a, b) => done(a) - done(b));
}

/** The running SLA metric that presses most; nothing once the ticket is resolved or has no SLA. */
function TicketSla({ ticket }: { ticket: Ticket }) {
  const now = useNow();
  if (DONE.has(ticket.status_kind)) return null;
  const headline = headlineStanding(readSla(ticket.sla), now);
  return headline ? <SlaMetricTag metric={headline.metric} showName /> : null;
}

/**
 * The "工单" section of the inbox's context panel: the contact's tickets, unresolved first, each
 * opening its ticket page, so an agent asked "where is my ticket?" sees it beside the chat. Tickets
 * created or changed anywhere in the app refresh it (every ticket mutation invalidates the lists).
 */
export function ContactTickets({ contactId }: { contactId: number }) {
  const { t } = useTranslation();
  const tickets = useTickets({ contact_id: contactId });
  const workflow = useWorkflow();
  const [all, setAll] = useState(false);
  const sorted = useMemo(() => sortContactTickets(tickets.data?.pages[0]?.items ?? []), [tickets.data]);
  const more = tickets.hasNextPage ? `${sorted.length - SHOWN}+` : String(sorted.length - SHOWN);
  const shown = all ? sorted : sorted.slice(0, SHOWN);

  return (
    <div data-testid="contact-tickets">
      {tickets.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} title={false} />
      ) : tickets.isError ? (
        <Typography.Text type="danger" className={styles.none}>
          {describeError(t, tickets.error)}
        </Typography.Text>
      ) : sorted.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inbox.context.noTickets')} className={styles.smallEmpty} />
      ) : (
        <>
          <ul className={styles.ticketList} aria-label={t('inbox.context.tickets')}>
            {shown.map((ticket) => (
              <li key={ticket.id}>
                <Link to={`/tickets/${ticket.id}`} className={styles.ticketRow} data-kind={ticket.status_kind}>
                  <span className={styles.ticketHead}>
                    <span className={styles.ticketNumber}>{ticket.number}</span>
                    <TicketStateTag name={stateName(workflow.data, ticket.status)} kind={ticket.status_kind} />
                    <TicketPriorityTag priority={ticket.priority} />
                    <time
                      dateTime={ticket.updated_at}
                      title={t('inbox.context.ticketTimes', {
                        created: formatDateTime(ticket.created_at),
                        updated: formatDateTime(ticket.updated_at),
                      })}
                    >
                      {formatListTime(ticket.updated_at)}
                    </time>
                  </span>
                  <span className={styles.ticketTitle} title={ticket.title}>
                    {ticket.title}
                  </span>
                  <TicketSla ticket={ticket} />
                </Link>
              </li>
            ))}
          </ul>
          {sorted.length > SHOWN && (
            <Button type="link" size="small" className={styles.ticketMore} onClick={() => setAll((v) => !v)}>
              {all ? t('inbox.context.fewerTickets') : t('inbox.context.moreTickets', { rest: more })}
            </Button>
          )}
        </>
      )}
    </div>
  );
}
