import '@testing-library/jest-dom/vitest';
import '../i18n';
import { afterEach } from 'vitest';
import { cleanup, configure } from '@testing-library/react';

// findBy… and waitFor give up after 1 s by default; antd in jsdom, with the whole suite running
// on a busy two-core machine, sometimes needs longer (a select's dropdown, a modal opening). On
// a VM whose host took a third of its cores, 5 s was not always enough either: it is only the
// longest wait, a passing query returns as soon as it finds its element.
configure({ asyncUtilTimeout: 15_000 });

afterEach(() => {
  cleanup();
});

// antd reads these browser APIs that jsdom does not implement.
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }),
  });
}

class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
if (!('ResizeObserver' in window)) {
  Object.defineProperty(window, 'ResizeObserver', { writable: true, value: ResizeObserverStub });
}

// The list of antd's Mentions keeps its active item in view.
if (!Element.prototype.scrollIntoView) Element.prototype.scrollIntoView = () => {};

// jsdom logs "Not implemented" for pseudo-element styles, which antd asks for; answer for the element.
const computedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = ((element: Element) => computedStyle(element)) as typeof window.getComputedStyle;
