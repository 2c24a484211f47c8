/**
 * The signed-in console's frame: a sidebar with the sections, a top bar with the
 * live connection's state and the user menu, and the page in between.
 */
import type { ReactNode } from "react";
import { useState } from "react";
import { useSession, useUser } from "../auth/session";
import { useHub } from "../events/hub-context";
import { StatusBadge } from "../events/status-badge";
import { Brand } from "./brand";
import { Button } from "./form";
import { Link, useLocation } from "./router";

const NAV = [
  { to: "/feed", label: "Live events", icon: "M3 12h4l3-8 4 16 3-8h4" },
  {
    to: "/agents",
    label: "Agents",
    icon: "M12 3v3M7 8h10a3 3 0 0 1 3 3v5a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3v-5a3 3 0 0 1 3-3zM9 13h.01M15 13h.01",
  },
  { to: "/chat", label: "Chat", icon: "M4 5h16v11H8l-4 4z" },
  {
    to: "/tools",
    label: "Tools",
    icon: "M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z",
  },
  { to: "/usage", label: "Usage", icon: "M4 20V10M10 20V4M16 20v-7M22 20H2" },
  { to: "/tasks", label: "Tasks", icon: "M4 6h16M4 12h10M4 18h7M17 15l2 2 4-4" },
  { to: "/workflows", label: "Workflows", icon: "M6 4v6a2 2 0 0 0 2 2h8a2 2 0 0 1 2 2v6M6 4h.01M18 20h.01" },
  { to: "/schedules", label: "Schedules", icon: "M12 7v5l3 3M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z" },
  {
    to: "/webhooks",
    label: "Webhooks",
    icon: "M10 14a4 4 0 0 1 0-5l3-3a4 4 0 0 1 6 6l-1 1M14 10a4 4 0 0 1 0 5l-3 3a4 4 0 0 1-6-6l1-1",
  },
  { to: "/dead-letters", label: "Dead letters", icon: "M4 4h16v16H4zM4 9h16M9 14h6" },
  { to: "/files", label: "Files", icon: "M6 2h9l5 5v15H6zM14 2v6h6" },
  { to: "/memory", label: "Memory", icon: "M12 3a7 7 0 0 0-4 12.7V19h8v-3.3A7 7 0 0 0 12 3zM9 22h6" },
  {
    to: "/graph",
    label: "Entity graph",
    icon: "M6 6a2 2 0 1 0 0 .1M18 6a2 2 0 1 0 0 .1M12 18a2 2 0 1 0 0 .1M7.5 7.5l3.5 8.5M16.5 7.5 13 16M8 6h8",
  },
  { to: "/keys", label: "API keys", icon: "M15 7a4 4 0 1 1-3.9 5H3v3h3v3h3v-3h2.1A4 4 0 0 1 15 7z" },
  { to: "/audit", label: "Audit log", icon: "M5 4h14v16H5zM9 8h6M9 12h6M9 16h4" },
  { to: "/account", label: "Profile", icon: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0" },
];

function Icon({ path }: { path: string }) {
  return (
    <svg viewBox="0 0 24 24" className="nav-icon" aria-hidden="true">
      <path d={path} />
    </svg>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const current = NAV.find((item) => path.startsWith(item.to));
  return (
    <div className="shell">
      <aside className="sidebar">
        <Brand />
        <nav aria-label="Console">
          {NAV.map((item) => (
            <Link
              key={item.to}
              to={item.to}
              className={`nav-link${item === current ? " active" : ""}`}
              aria-current={item === current ? "page" : undefined}
              data-testid={`nav-${item.to.slice(1)}`}
            >
              <Icon path={item.icon} />
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="sidebar-footer">
          <a className="nav-link" href="/api/docs" target="_blank" rel="noreferrer">
            <Icon path="M14 4h6v6M20 4l-9 9M18 14v6H4V6h6" />
            API reference
          </a>
        </div>
      </aside>
      <div className="main-column">
        <TopBar section={current?.label ?? "Console"} />
        <main className="content">{children}</main>
      </div>
    </div>
  );
}

function TopBar({ section }: { section: string }) {
  const user = useUser();
  const { logout } = useSession();
  const { snapshot } = useHub();
  const [busy, setBusy] = useState(false);

  const signOut = async () => {
    setBusy(true);
    try {
      await logout();
    } finally {
      setBusy(false);
    }
  };

  return (
    <header className="topbar">
      <span className="topbar-section">{section}</span>
      <div className="topbar-right">
        <Link to="/feed" className="topbar-status" aria-label="Live connection">
          <StatusBadge status={snapshot.status} testId="hub-status" />
        </Link>
        <div className="user-chip" data-testid="user-chip">
          <span className="avatar" aria-hidden="true">
            {(user.name || user.email).slice(0, 1).toUpperCase()}
          </span>
          <span className="user-text">
            <span className="user-name">{user.name}</span>
            <span className="user-email">{user.email}</span>
          </span>
        </div>
        <Button variant="ghost" size="sm" busy={busy} onClick={signOut} data-testid="logout">
          Log out
        </Button>
      </div>
    </header>
  );
}
