import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initApi } from './api/api.ts';
import { connect } from './api/connect.ts';
import { App } from './App.tsx';
import './styles.css';
import { applyStoredTheme } from './state/theme-store.ts';

initApi(connect().transport);

applyStoredTheme();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
