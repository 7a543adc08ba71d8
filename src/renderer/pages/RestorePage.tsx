import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the page is built. */
export function RestorePage() {
  return <PageHeader title="Restore" description="Coming soon." />;
}
