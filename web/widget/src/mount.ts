import { h, render } from 'preact';
import { ChatController, type ControllerOptions } from './controller';
import { translator } from './i18n';
import css from './ui/styles.css?inline';
import { Widget } from './ui/Widget';

export interface Mounted {
  controller: ChatController;
  host: HTMLElement;
  unmount(): void;
}

function hostStyle(host: HTMLElement, mode: 'embed' | 'h5'): void {
  // Inline !important beats anything the host page's stylesheets say about our element.
  const set = (p: string, v: string) => host.style.setProperty(p, v, 'important');
  set('display', 'block');
  set('position', 'fixed');
  set('z-index', '2147483000');
  set('top', '0');
  set('left', '0');
  set('margin', '0');
  set('padding', '0');
  set('border', '0');
  set('transform', 'none');
  set('filter', 'none');
  set('contain', 'none');
  if (mode === 'h5') {
    set('width', '100%');
    set('height', '100%');
  } else {
    set('width', '0');
    set('height', '0');
    set('overflow', 'visible');
  }
}

/** Keeps the H5 panel exactly the visible viewport (above the on-screen keyboard). */
function trackVisualViewport(host: HTMLElement): () => void {
  const vv = window.visualViewport;
  if (!vv) return () => undefined;
  const update = () => {
    host.style.setProperty('--yk-vv-height', `${Math.round(vv.height)}px`);
    host.style.setProperty('--yk-vv-top', `${Math.round(vv.offsetTop)}px`);
  };
  update();
  vv.addEventListener('resize', update);
  vv.addEventListener('scroll', update);
  return () => {
    vv.removeEventListener('resize', update);
    vv.removeEventListener('scroll', update);
  };
}

export function mountWidget(
  options: ControllerOptions,
  parent: HTMLElement = document.body,
  controller: ChatController = new ChatController(options),
): Mounted {
  const host = document.createElement('yingke-widget');
  hostStyle(host, options.mode);
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = css;
  shadow.appendChild(style);
  const container = document.createElement('div');
  shadow.appendChild(container);
  parent.appendChild(host);
  render(h(Widget, { controller, mode: options.mode }), container);

  const cleanups: Array<() => void> = [];
  if (options.mode === 'h5') {
    cleanups.push(trackVisualViewport(host));
    const unsubscribe = controller.subscribe((s) => {
      if (s.config) {
        const t = translator(s.locale);
        const name = s.config.channel.name?.trim();
        document.title = name ? t('h5_title', { name }) : t('panel_label');
        document.documentElement.lang = s.locale;
      }
    });
    cleanups.push(unsubscribe);
  }

  return {
    controller,
    host,
    unmount() {
      for (const c of cleanups) c();
      render(null, container);
      controller.destroy();
      host.remove();
    },
  };
}
