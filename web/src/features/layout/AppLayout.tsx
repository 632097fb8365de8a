import { Suspense, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { App as AntApp, Avatar, Button, Drawer, Dropdown, Flex, Grid, Layout, Menu, Typography, type MenuProps } from 'antd';
import {
  ApartmentOutlined,
  AuditOutlined,
  BranchesOutlined,
  CarryOutOutlined,
  ThunderboltOutlined,
  CheckOutlined,
  GlobalOutlined,
  InboxOutlined,
  LogoutOutlined,
  MenuOutlined,
  MessageOutlined,
  SettingOutlined,
  ShopOutlined,
  TeamOutlined,
  DownOutlined,
  FileTextOutlined,
  ScheduleOutlined,
  WifiOutlined,
  NotificationOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCurrentSession, useLogout } from '../auth/session';
import { canManage, canSupervise } from '../auth/roles';
import { MyStatus } from '../routing/MyStatus';
import { TodoNotices } from '../todos/TodoNotices';
import { NotificationBell } from '../notifications/NotificationBell';
import { setLocale } from '../../i18n';
import { describeError } from '../../api/errorText';
import { Brand } from './Brand';
import { avatarColor } from '../users/UserAvatar';
import { FullPageSpin } from './FullPageSpin';
import styles from './AppLayout.module.css';

const COLLAPSED_KEY = 'yingke.sider.collapsed';

/** Pages that fill the content area edge to edge (no padding, no page scroll). */
const FULL_BLEED = ['/inbox'];

/** Pages reachable from the side navigation, in order, with who sees them. */
const NAV = [
  { path: '/inbox', icon: <InboxOutlined />, label: 'nav.inbox', access: 'all' },
  { path: '/tickets', icon: <FileTextOutlined />, label: 'nav.tickets', access: 'all' },
  { path: '/todos', icon: <CarryOutOutlined />, label: 'todos.nav', access: 'all' },
  { path: '/channels', icon: <WifiOutlined />, label: 'nav.channels', access: 'all' },
  { path: '/users', icon: <TeamOutlined />, label: 'nav.users', access: 'all' },
  { path: '/teams', icon: <ApartmentOutlined />, label: 'nav.teams', access: 'all' },
  { path: '/canned', icon: <MessageOutlined />, label: 'canned.nav', access: 'all' },
  { path: '/routing', icon: <BranchesOutlined />, label: 'nav.routing', access: 'supervise' },
  { path: '/automation', icon: <ThunderboltOutlined />, label: 'automation.nav', access: 'manage' },
  { path: '/ticket-settings', icon: <ScheduleOutlined />, label: 'nav.ticketSettings', access: 'manage' },
  { path: '/notifications', icon: <NotificationOutlined />, label: 'notifications.nav', access: 'manage' },
  { path: '/audit', icon: <AuditOutlined />, label: 'audit.nav', access: 'manage' },
  { path: '/profile', icon: <SettingOutlined />, label: 'nav.profile', access: 'all' },
] as const;

function initialCollapsed(): boolean {
  try {
    return globalThis.localStorage?.getItem(COLLAPSED_KEY) === '1';
  } catch {
    return false;
  }
}

/** The signed-in app, with the to-do reminders the shared agent socket (AgentSocketProvider) brings. */
export default function AppLayout() {
  return (
    <>
      <TodoNotices />
      <AppShell />
    </>
  );
}

function AppShell() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const { user, account } = useCurrentSession();
  const logout = useLogout();
  const [collapsed, setCollapsed] = useState(initialCollapsed);
  const [navOpen, setNavOpen] = useState(false);
  // Phones get the navigation in a drawer instead of a side bar.
  const mobile = Grid.useBreakpoint().md === false;
  const fullBleed = FULL_BLEED.some((path) => location.pathname.startsWith(path));

  const onCollapse = (value: boolean) => {
    setCollapsed(value);
    try {
      globalThis.localStorage?.setItem(COLLAPSED_KEY, value ? '1' : '0');
    } catch {
      // Not remembered; harmless.
    }
  };

  const nav = NAV.filter(
    (item) => item.access === 'all' || (item.access === 'supervise' ? canSupervise(user.role) : canManage(user.role)),
  );
  const selected = nav.find((item) => location.pathname.startsWith(item.path))?.path;

  const userMenu: MenuProps['items'] = [
    { key: 'profile', icon: <SettingOutlined />, label: t('nav.profile') },
    { type: 'divider' },
    {
      type: 'group',
      key: 'language',
      label: (
        <span>
          <GlobalOutlined /> {t('language.label')}
        </span>
      ),
      children: [
        {
          key: 'lang:zh-CN',
          label: t('language.zh-CN'),
          extra: i18n.language === 'zh-CN' ? <CheckOutlined /> : undefined,
        },
        { key: 'lang:en', label: t('language.en'), extra: i18n.language === 'en' ? <CheckOutlined /> : undefined },
      ],
    },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: t('nav.signOut'), danger: true },
  ];

  const onUserMenu: MenuProps['onClick'] = ({ key }) => {
    if (key === 'profile') void navigate('/profile');
    else if (key === 'lang:zh-CN') void setLocale('zh-CN');
    else if (key === 'lang:en') void setLocale('en');
    else if (key === 'logout') {
      logout.mutate(undefined, {
        onError: (error) => void message.error(describeError(t, error)),
      });
    }
  };

  const navigation = (
    <nav aria-label={t('nav.main')}>
      <Menu
        mode="inline"
        selectedKeys={selected ? [selected] : []}
        items={nav.map((item) => ({ key: item.path, icon: item.icon, label: t(item.label) }))}
        onClick={({ key }) => {
          setNavOpen(false);
          void navigate(key);
        }}
        className={styles.menu}
      />
    </nav>
  );

  return (
    <Layout className={`${styles.root} ${fullBleed ? styles.rootFull : ''}`}>
      {mobile ? (
        <Drawer
          open={navOpen}
          onClose={() => setNavOpen(false)}
          placement="left"
          size={240}
          closable={false}
          title={<Brand size={24} />}
          styles={{ body: { padding: 0 }, header: { padding: '12px 16px' } }}
        >
          {navigation}
        </Drawer>
      ) : (
        <Layout.Sider
          collapsible
          collapsed={collapsed}
          onCollapse={onCollapse}
          width={220}
          collapsedWidth={64}
          theme="light"
          className={styles.sider}
        >
          <div className={styles.brand}>
            <Brand compact={collapsed} size={26} />
          </div>
          {navigation}
        </Layout.Sider>
      )}
      <Layout className={styles.main}>
        <Layout.Header className={styles.header}>
          <Flex align="center" gap={8} className={styles.account}>
            {mobile && (
              <Button type="text" icon={<MenuOutlined />} aria-label={t('nav.open')} onClick={() => setNavOpen(true)} />
            )}
            <ShopOutlined />
            <Typography.Text strong ellipsis data-testid="account-name">
              {account.name}
            </Typography.Text>
          </Flex>
          <Flex align="center" gap={4} className={styles.headerActions}>
            <NotificationBell />
            <MyStatus userId={user.id} />
            <Dropdown menu={{ items: userMenu, onClick: onUserMenu }} trigger={['click']} placement="bottomRight">
              <Button type="text" className={styles.userButton} aria-label={t('nav.accountMenu')}>
                <Avatar size={28} className={styles.avatar} style={{ background: avatarColor(user.id) }}>
                  {user.name.trim().slice(0, 1).toUpperCase() || '?'}
                </Avatar>
                <span className={styles.userName}>{user.name}</span>
                <DownOutlined className={styles.caret} />
              </Button>
            </Dropdown>
          </Flex>
        </Layout.Header>
        <Layout.Content className={fullBleed ? styles.contentFull : mobile ? `${styles.content} ${styles.contentMobile}` : styles.content}>
          <Suspense fallback={<FullPageSpin />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
