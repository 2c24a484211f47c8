/** The centred card around the signed-out pages (login, register, verify, reset, outbox). */
import type { ReactNode } from "react";
import { Brand } from "./brand";

type AuthLayoutProps = { title: string; subtitle?: ReactNode; wide?: boolean; children: ReactNode; footer?: ReactNode };

export function AuthLayout({ title, subtitle, wide = false, children, footer }: AuthLayoutProps) {
  return (
    <div className="auth-page">
      <div className={`auth-column${wide ? " auth-column-wide" : ""}`}>
        <Brand subtitle="Console" />
        <main className="card auth-card">
          <h1>{title}</h1>
          {subtitle ? <p className="muted">{subtitle}</p> : null}
          {children}
        </main>
        {footer ? <div className="auth-footer">{footer}</div> : null}
      </div>
    </div>
  );
}
