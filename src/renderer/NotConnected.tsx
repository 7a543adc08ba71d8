/** Shown instead of the app when a browser opened the page without its access token. */
export function NotConnected() {
  return (
    <main className="not-connected">
      <section className="state-panel state-error" role="alert" aria-labelledby="not-connected-title">
        <h1 id="not-connected-title">Not connected</h1>
        <p>This address has no access token, so DVOM cannot connect to its engine. The link may be incomplete or invalid.</p>
        <p className="muted">
          Run <code>dvom serve</code> and open the full link it prints (it ends in <code>?token=…</code>).
        </p>
      </section>
    </main>
  );
}
