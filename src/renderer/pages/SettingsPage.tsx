import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the page is built. */
export function SettingsPage() {
  return <PageHeader title="Settings" description="Coming soon." />;
}
