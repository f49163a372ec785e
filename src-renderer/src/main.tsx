import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { installBridge } from './bridge';
import { startRouter } from './router';
import { bootstrap, watchConnection } from './session';

installBridge();
startRouter();
watchConnection();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  void bootstrap();
}
