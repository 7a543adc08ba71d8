import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the page is built. */
export function ActivityPage() {
  return <PageHeader title="Activity" description="Coming soon." />;
}
