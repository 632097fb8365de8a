import { Button, Form, Input, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { clockToMinutes, isClock, minutesToClock } from './duration';
import { asObject } from '../../api/open';
import styles from './Routing.module.css';

/** Monday … Sunday, as the server orders the week and names days in error paths. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** One working span as the form holds it (`HH:MM`). */
export type Span = { start?: string; end?: string };
/** One working span as the API holds it (minutes after midnight). */
export type WorkSpan = { start_min: number; end_min: number };

const OFFICE_DAY: Span[] = [{ start: '09:00', end: '18:00' }];

export function spans(value: unknown): WorkSpan[] {
  return (Array.isArray(value) ? value : []).map((item) => {
    const s = asObject(item);
    return { start_min: typeof s.start_min === 'number' ? s.start_min : 0, end_min: typeof s.end_min === 'number' ? s.end_min : 0 };
  });
}

export function dates(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The API's week (seven lists of spans) for the form; Monday–Friday 09:00–18:00 when there is none. */
export function weekToForm(weekly: unknown): Span[][] {
  const days = Array.isArray(weekly) ? (weekly as unknown[]) : null;
  return DAYS.map((_, i) =>
    days
      ? spans(days[i]).map((w) => ({ start: minutesToClock(w.start_min), end: minutesToClock(w.end_min) }))
      : i < 5
        ? OFFICE_DAY
        : [],
  );
}

/** The form's week for the API. */
export function formToWeek(weekly: Span[][] | undefined): WorkSpan[][] {
  return DAYS.map((_, i) =>
    (weekly?.[i] ?? []).map((s) => ({ start_min: clockToMinutes(s.start ?? '00:00'), end_min: clockToMinutes(s.end ?? '00:00') })),
  );
}

/** `weekly.mon[1]` (after the caller's prefix) → the form path of that span's end, or null. */
export function weekErrorPath(field: string, formName: string): Array<string | number> | null {
  const day = /^weekly\.(\w+)\[(\d+)\]/.exec(field);
  if (!day) return null;
  const index = (DAYS as readonly string[]).indexOf(day[1]);
  return index >= 0 ? [formName, index, Number(day[2]), 'end'] : null;
}

/** Every IANA zone the browser knows, the given ones first. */
export function timeZones(current: string[]): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([...current.filter(Boolean), 'UTC', ...known])];
}

/**
 * The working hours of each weekday, as form lists under `name` (`[day][span] = {start, end}`).
 * `checked` says whether the spans are validated now (a hidden editor is not).
 */
export function WeeklyHoursTable({ name, editable, checked = () => true }: { name: string; editable: boolean; checked?: () => boolean }) {
  const { t } = useTranslation();
  const clockRule = (allowMidnight: boolean) => ({
    validator: (_: unknown, value: string | undefined) =>
      !checked() || (value && isClock(value, allowMidnight)) ? Promise.resolve() : Promise.reject(new Error(t('routing.settings.spanInvalid'))),
  });
  return (
    <table className={styles.weekTable}>
      <tbody>
        {DAYS.map((day, dayIndex) => (
          <tr key={day}>
            <th scope="row">{t(`routing.settings.days.${day}`)}</th>
            <td>
              <Form.List name={[name, dayIndex]}>
                {(items, { add, remove }) => (
                  <div className={styles.spanList}>
                    {items.length === 0 && (
                      <Typography.Text type="secondary" className={styles.small}>
                        {t('routing.settings.closed')}
                      </Typography.Text>
                    )}
                    {items.map((item, index) => {
                      const which = { day: t(`routing.settings.days.${day}`), n: index + 1 };
                      return (
                        <div key={item.key} className={styles.spanRow}>
                          <Form.Item name={[item.name, 'start']} rules={[clockRule(false)]} className={styles.spanItem}>
                            <Input placeholder="09:00" maxLength={5} aria-label={t('routing.settings.spanStartOf', which)} className={styles.clockInput} />
                          </Form.Item>
                          <span aria-hidden>–</span>
                          <Form.Item
                            name={[item.name, 'end']}
                            dependencies={[[name, dayIndex, item.name, 'start']]}
                            rules={[
                              clockRule(true),
                              ({ getFieldValue }) => ({
                                validator: (_: unknown, end: string | undefined) => {
                                  const start = getFieldValue([name, dayIndex, item.name, 'start']) as string | undefined;
                                  return !start || !end || !isClock(start) || !isClock(end, true) || clockToMinutes(end) > clockToMinutes(start)
                                    ? Promise.resolve()
                                    : Promise.reject(new Error(t('routing.settings.spanOrder')));
                                },
                              }),
                            ]}
                            className={styles.spanItem}
                          >
                            <Input placeholder="18:00" maxLength={5} aria-label={t('routing.settings.spanEndOf', which)} className={styles.clockInput} />
                          </Form.Item>
                          {editable && (
                            <Button
                              type="text"
                              size="small"
                              danger
                              icon={<DeleteOutlined />}
                              onClick={() => remove(item.name)}
                              aria-label={t('routing.settings.removeSpanOf', which)}
                            />
                          )}
                        </div>
                      );
                    })}
                    {editable && (
                      <Button
                        type="link"
                        size="small"
                        icon={<PlusOutlined />}
                        onClick={() => add({ start: '09:00', end: '18:00' })}
                        aria-label={t('routing.settings.addSpanOf', { day: t(`routing.settings.days.${day}`) })}
                        className={styles.addSpan}
                      >
                        {t('routing.settings.addSpan')}
                      </Button>
                    )}
                  </div>
                )}
              </Form.List>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
