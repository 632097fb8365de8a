import { Navigate, useNavigate, useParams } from 'react-router';
import { Result, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { CalendarsTab } from './CalendarsTab';
import { PoliciesTab } from './PoliciesTab';
import { ThresholdsTab } from './ThresholdsTab';
import { WorkflowTab } from './WorkflowTab';
import { CategoriesTab } from './CategoriesTab';
import { MarkersTab } from './MarkersTab';
import { TimersTab } from './TimersTab';
import { useCurrentSession } from '../../auth/session';
import { canManage } from '../../auth/roles';
import { PageHeader } from '../../layout/PageHeader';

const TABS = ['calendars', 'sla', 'thresholds', 'workflow', 'categories', 'markers', 'timers'] as const;
type Tab = (typeof TABS)[number];

function isTab(value: string | undefined): value is Tab {
  return (TABS as readonly string[]).includes(value ?? '');
}

/** `/ticket-settings/:tab` (admins): business calendars, SLA policies and thresholds, the workflow, categories, markers, dead timers. */
export default function TicketSettingsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const params = useParams();
  const { user: me } = useCurrentSession();

  if (!canManage(me.role)) return <Result status="403" title={t('ticketSettings.forbidden')} />;
  if (!isTab(params.tab)) return <Navigate to="/ticket-settings/calendars" replace />;
  const tab = params.tab;

  return (
    <>
      <PageHeader title={t('ticketSettings.title')} description={t('ticketSettings.description')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => void navigate(`/ticket-settings/${key}`)}
        items={TABS.map((key) => ({ key, label: t(`ticketSettings.tabs.${key}`) }))}
      />
      {tab === 'calendars' && <CalendarsTab />}
      {tab === 'sla' && <PoliciesTab />}
      {tab === 'thresholds' && <ThresholdsTab />}
      {tab === 'workflow' && <WorkflowTab />}
      {tab === 'categories' && <CategoriesTab />}
      {tab === 'markers' && <MarkersTab />}
      {tab === 'timers' && <TimersTab />}
    </>
  );
}
