import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useContact } from './queries';

/** A contact's name, or "访客 N" for an anonymous visitor (as the server names them). */
export function contactName(t: TFunction, contactId: number, name: string | undefined): string {
  const trimmed = name?.trim();
  return trimmed ? trimmed : t('inbox.visitor', { id: contactId });
}

export function useContactName(contactId: number): string {
  const { t } = useTranslation();
  const contact = useContact(contactId);
  return contactName(t, contactId, contact.data?.name);
}

/** First visible character for an avatar. */
export function initial(name: string): string {
  return Array.from(name.trim())[0]?.toUpperCase() ?? '?';
}
