// The one bundle: `<script src="https://HOST/widget.js" data-channel="KEY" async></script>` on a
// site (launcher + panel), or `<script src="/widget.js" data-mode="h5">` on the server's
// /chat/{channel_key} page (full-screen chat).

import { ChatController } from './controller';
import { findOwnScript, readScriptOptions } from './env';
import { mountWidget } from './mount';
import { installPublicApi } from './public-api';

declare global {
  interface Window {
    Yingke?: unknown;
    __yingkeWidget?: boolean;
  }
}

function boot(): void {
  // document.currentScript is only set while this script runs: read it first.
  const script = findOwnScript(document);
  const options = readScriptOptions(script, location);
  if (!options.channelKey) {
    console.error('[yingke] widget.js needs data-channel="CHANNEL_KEY" on its script tag.');
    return;
  }
  if (window.__yingkeWidget) return;
  window.__yingkeWidget = true;

  const controllerOptions = {
    base: options.base,
    channelKey: options.channelKey,
    mode: options.mode,
    locale: options.locale,
    entry: options.entry,
    trackPages: options.mode === 'embed',
  };
  const controller = new ChatController(controllerOptions);
  // The API exists as soon as the script has run; queued calls (identify) apply before start.
  installPublicApi(window, controller);

  const start = () => {
    mountWidget(controllerOptions, document.body, controller);
    void controller.start();
  };

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
}

boot();
