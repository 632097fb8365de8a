import { lazy, useEffect, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { LocaleProvider } from './i18n/LocaleProvider';
import { setUnauthorizedHandler } from './api/client';
import { isApiError } from './api/errors';
import { endSession } from './features/auth/session';
import { RequireAuth } from './features/auth/RequireAuth';
import { AgentSocketProvider } from './realtime/AgentSocketProvider';

const LoginPage = lazy(() => import('./features/auth/LoginPage'));
const AppLayout = lazy(() => import('./features/layout/AppLayout'));
const InboxPage = lazy(() => import('./features/inbox/InboxPage'));
const ChannelsPage = lazy(() => import('./features/channels/ChannelsPage'));
const ChannelPage = lazy(() => import('./features/channels/ChannelPage'));
const UsersPage = lazy(() => import('./features/users/UsersPage'));
const TeamsPage = lazy(() => import('./features/teams/TeamsPage'));
const RoutingPage = lazy(() => import('./features/routing/RoutingPage'));
const CannedPage = lazy(() => import('./features/canned/CannedPage'));
const TicketsPage = lazy(() => import('./features/tickets/TicketsPage'));
const TicketPage = lazy(() => import('./features/tickets/TicketPage'));
const TicketSettingsPage = lazy(() => import('./features/tickets/admin/TicketSettingsPage'));
const TodosPage = lazy(() => import('./features/todos/TodosPage'));
const AutomationPage = lazy(() => import('./features/automation/AutomationPage'));
const NotificationsPage = lazy(() => import('./features/notifications/NotificationsPage'));
const AuditPage = lazy(() => import('./features/audit/AuditPage'));
const ProfilePage = lazy(() => import('./features/profile/ProfilePage'));
const NotFoundPage = lazy(() => import('./features/layout/NotFoundPage'));

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // Client errors will not fix themselves; retry only transient failures.
        retry: (failureCount, error) => failureCount < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      },
    },
  });
}

/** A 401 on any API call means the session ended: forget it, and RequireAuth sends the user to /login. */
export function SessionExpiryWatcher() {
  const queryClient = useQueryClient();
  useEffect(() => {
    setUnauthorizedHandler(() => endSession(queryClient));
    return () => setUnauthorizedHandler(null);
  }, [queryClient]);
  return null;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            {/* One agent socket for every signed-in page: the header's bell and the inbox share it. */}
            <AgentSocketProvider>
              <AppLayout />
            </AgentSocketProvider>
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/inbox" replace />} />
        <Route path="/inbox/:conversationId?" element={<InboxPage />} />
        <Route path="/tickets" element={<TicketsPage />} />
        <Route path="/tickets/:ticketId" element={<TicketPage />} />
        <Route path="/ticket-settings/:tab?" element={<TicketSettingsPage />} />
        <Route path="/channels" element={<ChannelsPage />} />
        <Route path="/channels/:channelId" element={<ChannelPage />} />
        <Route path="/users" element={<UsersPage />} />
        <Route path="/teams" element={<TeamsPage />} />
        <Route path="/canned" element={<CannedPage />} />
        <Route path="/routing/:tab?" element={<RoutingPage />} />
        <Route path="/todos/:todoId?" element={<TodosPage />} />
        <Route path="/automation/:tab?" element={<AutomationPage />} />
        <Route path="/notifications/:tab?" element={<NotificationsPage />} />
        <Route path="/audit" element={<AuditPage />} />
        <Route path="/profile" element={<ProfilePage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <LocaleProvider>
        <SessionExpiryWatcher />
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </LocaleProvider>
    </QueryClientProvider>
  );
}
