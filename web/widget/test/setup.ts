import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/preact';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

// The widget follows navigator.language; tests run in the default locale (zh-CN) unless they
// say otherwise.
Object.defineProperty(window.navigator, 'language', { value: 'zh-CN', configurable: true });
