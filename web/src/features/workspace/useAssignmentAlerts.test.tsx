import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { useAssignmentAlerts } from './useAssignmentAlerts';
import { subscribeToPush } from '../../pwa/push';

vi.mock('../../pwa/push', () => ({ subscribeToPush: vi.fn(async () => true) }));

const wrapper = ({ children }: { children: ReactNode }) => <MemoryRouter>{children}</MemoryRouter>;

beforeEach(() => {
  localStorage.clear();
  vi.mocked(subscribeToPush).mockClear();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('useAssignmentAlerts', () => {
  it('subscribes this browser to push when alerts go on with notifications already allowed', async () => {
    const requestPermission = vi.fn();
    vi.stubGlobal('Notification', { permission: 'granted', requestPermission });
    const { result } = renderHook(() => useAssignmentAlerts(0), { wrapper });

    await act(() => result.current.toggle());

    expect(result.current.enabled).toBe(true);
    expect(requestPermission).not.toHaveBeenCalled();
    expect(subscribeToPush).toHaveBeenCalledTimes(1);
  });

  it('subscribes once the person allows notifications, and not when they refuse', async () => {
    let answer: NotificationPermission = 'granted';
    vi.stubGlobal('Notification', { permission: 'default', requestPermission: vi.fn(async () => answer) });
    const { result } = renderHook(() => useAssignmentAlerts(0), { wrapper });
    await act(() => result.current.toggle());
    expect(subscribeToPush).toHaveBeenCalledTimes(1);
    expect(result.current.permission).toBe('granted');

    await act(() => result.current.toggle()); // off: nothing asked
    answer = 'denied';
    await act(() => result.current.toggle());
    expect(subscribeToPush).toHaveBeenCalledTimes(1);
    expect(result.current.permission).toBe('denied');
  });
});
