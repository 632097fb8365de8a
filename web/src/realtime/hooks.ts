import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { AgentSocket, agentSocketUrl, type ConnectionStatus, type PendingMessage, type SocketListener } from './AgentSocket';

/**
 * One agent socket for the lifetime of the calling component: connects on mount, closes on
 * unmount, and skips the backoff when the browser comes back online or the tab is shown again.
 */
export function useAgentSocket(): AgentSocket {
  const [socket] = useState(() => new AgentSocket({ url: agentSocketUrl() }));
  useEffect(() => {
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
