import { StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import './index.css';
import { App } from './App';
import { FullPageSpin } from './features/layout/FullPageSpin';
import { registerServiceWorker } from './pwa/register';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <Suspense fallback={<FullPageSpin />}>
      <App />
    </Suspense>
  </StrictMode>,
);

registerServiceWorker();
