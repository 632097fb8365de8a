import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { AgentSocket, agentSocketUrl, type ConnectionStatus, type PendingMessage, type SocketListener } from './AgentSocket';
import type { NoticeFrame } from './frames';

/** The socket the app shell opened for every page (see AgentSocketProvider); null outside it. */
export const SharedSocketContext = createContext<AgentSocket | null>(null);

/**
 * One agent socket for the lifetime of the calling component: connects on mount, closes on
 * unmount, and skips the backoff when the browser comes back online or the tab is shown again.
 * Inside the app shell this is the shell's shared socket, so a page adds no second connection.
 */
export function useAgentSocket(): AgentSocket {
  const shared = useContext(SharedSocketContext);
  const own = useOwnSocket(shared === null);
  return shared ?? (own as AgentSocket);
}

/** A socket of the caller's own (`enabled`), connected while it is mounted. */
export function useOwnSocket(enabled = true): AgentSocket | null {
  const [socket] = useState(() => (enabled ? new AgentSocket({ url: agentSocketUrl() }) : null));
  useEffect(() => {
    if (!socket) return;
    socket.connect();
    const wake = () => {
      if (document.visibilityState === 'visible') socket.reconnectNow();
    };
    window.addEventListener('online', wake);
    document.addEventListener('visibilitychange', wake);
    return () => {
      window.removeEventListener('online', wake);
      document.removeEventListener('visibilitychange', wake);
      socket.stop();
    };
  }, [socket]);
  return socket;
}

/**
 * Calls the latest `listener` for every `notice` frame on the shared socket (the bell counts
 * them; to-do reminders pop up from them). Outside the app shell it does nothing.
 */
export function useNoticeFrames(listener: (frame: NoticeFrame) => void): void {
  const socket = useContext(SharedSocketContext);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => {
    if (!socket) return;
    return socket.subscribe((event) => {
      if (event.type === 'notice') latest.current(event.frame);
    });
  }, [socket]);
}

/** Calls the latest `listener` for every event of the socket. */
export function useSocketEvents(socket: AgentSocket, listener: SocketListener): void {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => socket.subscribe((event) => latest.current(event)), [socket]);
}

export function useSocketStatus(socket: AgentSocket): ConnectionStatus {
  return useSyncExternalStore(
    (notify) => socket.subscribe((event) => event.type === 'status' && notify()),
    () => socket.status,
  );
}

/** The pending messages of one conversation, kept current. */
export function useOutbox(socket: AgentSocket, conversationId: number): PendingMessage[] {
  const [outbox, setOutbox] = useState(() => socket.outbox(conversationId));
  useEffect(() => {
    setOutbox(socket.outbox(conversationId));
    return socket.subscribe((event) => {
      if (event.type === 'outbox') setOutbox(socket.outbox(conversationId));
    });
  }, [socket, conversationId]);
  return outbox;
}
