import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the page is built. */
export function BackupsPage() {
  return <PageHeader title="Backups" description="Coming soon." />;
}
