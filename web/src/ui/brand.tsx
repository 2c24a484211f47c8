/** The Edgewise mark and name, used by the sidebar and the sign-in pages. */
export function Brand({ subtitle }: { subtitle?: string }) {
  return (
    <div className="brand">
      <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="#4f46e5" />
        <path d="M9 9h14v3.2H13v2.6h8.4V18H13v2.8h10V24H9z" fill="#fff" />
      </svg>
      <span className="brand-name">Edgewise</span>
      {subtitle ? <span className="brand-subtitle">{subtitle}</span> : null}
    </div>
  );
}
