import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initApi } from './api/api.ts';
import { connect } from './api/connect.ts';
import { App } from './App.tsx';
import { NotConnected } from './NotConnected.tsx';
import './styles.css';
import { applyStoredTheme } from './state/theme-store.ts';

const connection = connect();
if (connection.kind === 'ready') initApi(connection.transport);

applyStoredTheme();
createRoot(document.getElementById('root')!).render(
  <StrictMode>{connection.kind === 'ready' ? <App /> : <NotConnected />}</StrictMode>,
);
