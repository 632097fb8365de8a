import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { notificationPermission, notifyDesktop, playChime, readAlertPrefs, saveAlertPrefs, titleWithCount, unlockSound } from './alerts';
import { subscribeToPush } from '../../pwa/push';
import type { Conversation } from '../../api/types';

/**
 * The tab title shows `unread` (my conversations with unread messages); `announce` plays the
 * chime and shows a desktop notification for a conversation just assigned to me, when the agent
 * switched alerts on.
 */
export function useAssignmentAlerts(unread: number) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [enabled, setEnabled] = useState(() => readAlertPrefs().enabled);
  const [permission, setPermission] = useState(notificationPermission);

  useEffect(() => {
    document.title = titleWithCount(t('app.name'), unread);
    return () => {
      document.title = t('app.name');
    };
  }, [unread, t, i18n.language]);

  /** From a click: switches alerts on (asking for notification permission) or off. */
  const toggle = async () => {
    const next = !enabled;
    setEnabled(next);
    saveAlertPrefs({ enabled: next });
    if (!next) return;
    unlockSound();
    let answer = notificationPermission();
    if (answer === 'default') {
      answer = await Notification.requestPermission();
      setPermission(answer);
    }
    // Push reaches the agent with the workspace closed, where the server offers it; also when
    // notifications were allowed before this browser was subscribed (the profile page sends here).
    if (answer === 'granted') void subscribeToPush().catch(() => false);
  };

  const announce = (conversation: Conversation) => {
    if (!enabled) return;
    unlockSound();
    playChime();
    notifyDesktop(
      t('workspace.alerts.newAssignment'),
      t('workspace.alerts.body', { number: conversation.number }),
      conversation.id,
      (id) => void navigate(`/inbox/${id}`),
    );
  };

  return { enabled, permission, toggle, announce };
}
