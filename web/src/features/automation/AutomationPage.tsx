import { useNavigate, useParams } from 'react-router';
import { Result, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { canManage } from '../auth/roles';
import { RulesTab } from './RulesTab';
import { SettingsTab } from './SettingsTab';
import { TemplatesTab } from './TemplatesTab';

const TABS = ['rules', 'templates', 'settings'] as const;

/** Automation (admins): rules with their analytics, to-do templates, and tags that prompt a to-do. */
export default function AutomationPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { tab } = useParams();
  const { user } = useCurrentSession();
  if (!canManage(user.role)) return <Result status="403" title={t('automation.forbidden')} />;
  const active = TABS.includes(tab as (typeof TABS)[number]) ? (tab as string) : 'rules';
  return (
    <>
      <Typography.Title level={3}>{t('automation.title')}</Typography.Title>
      <Tabs
        activeKey={active}
        onChange={(key) => void navigate(`/automation/${key}`)}
        items={[
          { key: 'rules', label: t('automation.tabs.rules'), children: <RulesTab /> },
          { key: 'templates', label: t('automation.tabs.templates'), children: <TemplatesTab /> },
          { key: 'settings', label: t('automation.tabs.settings'), children: <SettingsTab /> },
        ]}
        destroyOnHidden
      />
    </>
  );
}
