import { Navigate, useNavigate, useParams } from 'react-router';
import { Result, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../auth/session';
import { canManage } from '../auth/roles';
import { PageHeader } from '../layout/PageHeader';
import { PolicyTab } from './PolicyTab';
import { ChannelsTab } from './ChannelsTab';
import { RulesTab } from './RulesTab';
import { TemplatesTab } from './TemplatesTab';
import { DeliveriesTab } from './DeliveriesTab';

const TABS = ['policy', 'channels', 'rules', 'templates', 'deliveries'] as const;
type Tab = (typeof TABS)[number];

function isTab(value: string | undefined): value is Tab {
  return (TABS as readonly string[]).includes(value ?? '');
}

/** `/notifications/:tab` (admins): the customer-notification policy, channels, rules, templates and the delivery log. */
export default function NotificationsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const params = useParams();
  const { user: me } = useCurrentSession();

  if (!canManage(me.role)) return <Result status="403" title={t('notifications.forbidden')} />;
  if (!isTab(params.tab)) return <Navigate to="/notifications/policy" replace />;
  const tab = params.tab;

  return (
    <>
      <PageHeader title={t('notifications.title')} description={t('notifications.description')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => void navigate(`/notifications/${key}`)}
        items={TABS.map((key) => ({ key, label: t(`notifications.tabs.${key}`) }))}
      />
      {tab === 'policy' && <PolicyTab />}
      {tab === 'channels' && <ChannelsTab />}
      {tab === 'rules' && <RulesTab />}
      {tab === 'templates' && <TemplatesTab />}
      {tab === 'deliveries' && <DeliveriesTab />}
    </>
  );
}
