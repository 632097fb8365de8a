import type { ReactNode } from 'react';
import { SharedSocketContext, useOwnSocket } from './hooks';

/** Opens the agent's socket once for the app shell; pages and the header share it. */
export function AgentSocketProvider({ children }: { children: ReactNode }) {
  const socket = useOwnSocket();
  return <SharedSocketContext.Provider value={socket}>{children}</SharedSocketContext.Provider>;
}
