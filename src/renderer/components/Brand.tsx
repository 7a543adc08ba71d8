/** The app's mark and name, at the top of the sidebar. */
export function Brand() {
  return (
    <div className="brand">
      <span className="brand-mark" aria-hidden="true" />
      <span className="brand-name">DVOM</span>
    </div>
  );
}
