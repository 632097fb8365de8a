import { Navigate, useNavigate, useParams } from 'react-router';
import { Result, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { RulesTab } from './RulesTab';
import { AgentsTab } from './AgentsTab';
import { QueueTab } from './QueueTab';
import { SimulateTab } from './SimulateTab';
import { SettingsTab } from './SettingsTab';
import { useCurrentSession } from '../auth/session';
import { canManage, canSupervise } from '../auth/roles';
import { PageHeader } from '../layout/PageHeader';

const TABS = ['rules', 'agents', 'queue', 'simulate', 'settings'] as const;
type Tab = (typeof TABS)[number];

function isTab(value: string | undefined): value is Tab {
  return (TABS as readonly string[]).includes(value ?? '');
}

/** `/routing/:tab`: rules, agents, the queue, the simulator and the settings (supervisors and above). */
export default function RoutingPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const params = useParams();
  const { user: me } = useCurrentSession();
  const admin = canManage(me.role);

  if (!canSupervise(me.role)) return <Result status="403" title={t('routing.forbidden')} />;
  if (!isTab(params.tab)) return <Navigate to="/routing/rules" replace />;
  const tab = params.tab;

  return (
    <>
      <PageHeader title={t('routing.title')} description={t('routing.description')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => void navigate(`/routing/${key}`)}
        items={TABS.map((key) => ({ key, label: t(`routing.tabs.${key}`) }))}
      />
      {tab === 'rules' && <RulesTab admin={admin} />}
      {tab === 'agents' && <AgentsTab admin={admin} />}
      {tab === 'queue' && <QueueTab />}
      {tab === 'simulate' && <SimulateTab />}
      {tab === 'settings' && <SettingsTab admin={admin} />}
    </>
  );
}
