/**
 * The console's routes: signed-out pages (login, register, verify, password
 * reset, the dev outbox) and signed-in pages inside the shell, with the guards
 * that send each visitor to the right side.
 */
import { type ComponentType, lazy, Suspense } from "react";
import { AuditPage } from "./account/audit/audit-page";
import { KeysPage } from "./account/keys/keys-page";
import { ProfilePage } from "./account/profile-page";
import { AgentEditorPage } from "./agents/agent-editor-page";
import { AgentsPage } from "./agents/agents-page";
import { TemplateGalleryPage } from "./agents/template-gallery";
import { LoginPage } from "./auth/login-page";
import { ForgotPasswordPage, ResetPasswordPage } from "./auth/password-pages";
import { CheckEmailPage, RegisterPage } from "./auth/register-page";
import { useSession } from "./auth/session";
import { VerifyPage } from "./auth/verify-page";
import { DeadLettersPage, WebhooksPage } from "./automation/notifications-page";
import { TASK_DETAIL_PATH } from "./automation/paths";
import { SchedulesPage } from "./automation/schedules-page";
import { TaskDetailPage } from "./automation/task-detail-page";
import { TasksPage } from "./automation/tasks-page";
import { WorkflowsPage } from "./automation/workflows-page";
import { ChatPage } from "./chat/chat-page";
import { FeedPage } from "./events/feed-page";
import { HubProvider } from "./events/hub-context";
import { FilesPage } from "./files/files-page";
import { GraphPage } from "./graph/graph-page";
import { MemoryPage } from "./memory/memory-page";
import { OutboxPage } from "./outbox/outbox-page";
import { ToolsPage } from "./tools/tools-page";
import { AuthLayout } from "./ui/auth-layout";
import { Alert, Button, Spinner } from "./ui/form";
import { Link, matchPath, Redirect, useLocation } from "./ui/router";
import { Shell } from "./ui/shell";

/** The charts library is large: the usage page loads it when first opened. */
const UsagePage = lazy(() => import("./usage/usage-page").then((module) => ({ default: module.UsagePage })));

/** Only for signed-out visitors: a signed-in one is sent into the console. */
const GUEST_ONLY: Record<string, ComponentType> = {
  "/login": LoginPage,
  "/register": RegisterPage,
};

/** For anyone: links from emails must work whoever opens them. */
const OPEN: Record<string, ComponentType> = {
  "/register/check-email": CheckEmailPage,
  "/verify": VerifyPage,
  "/forgot-password": ForgotPasswordPage,
  "/reset-password": ResetPasswordPage,
  "/outbox": OutboxPage,
};

const SIGNED_IN: Record<string, ComponentType> = {
  "/feed": FeedPage,
  "/agents": AgentsPage,
  "/agents/new": AgentEditorPage,
  "/agents/edit": AgentEditorPage,
  "/agents/templates": TemplateGalleryPage,
  "/chat": ChatPage,
  "/tools": ToolsPage,
  "/usage": UsagePage,
  "/tasks": TasksPage,
  "/workflows": WorkflowsPage,
  "/schedules": SchedulesPage,
  "/webhooks": WebhooksPage,
  "/dead-letters": DeadLettersPage,
  "/files": FilesPage,
  "/memory": MemoryPage,
  "/graph": GraphPage,
  "/keys": KeysPage,
  "/audit": AuditPage,
  "/account": ProfilePage,
};

/** Signed-in pages whose path carries an id; the page reads it with matchPath(). */
const SIGNED_IN_PATTERNS: Array<[pattern: string, page: ComponentType]> = [[TASK_DETAIL_PATH, TaskDetailPage]];

function signedInPage(path: string): ComponentType | undefined {
  return SIGNED_IN[path] ?? SIGNED_IN_PATTERNS.find(([pattern]) => matchPath(pattern, path))?.[1];
}

const HOME = "/feed";

/** Where to go after login: back to the page that asked for it, if it is one of ours. */
function nextPath(query: URLSearchParams): string {
  const next = query.get("next");
  return next?.startsWith("/") && !next.startsWith("//") ? next : HOME;
}

export function App() {
  const { path, query } = useLocation();
  const { state } = useSession();

  const Open = OPEN[path];
  if (Open) return <Open />;

  if (state.status === "loading") {
    return (
      <div className="auth-page">
        <Spinner label="Loading your console…" />
      </div>
    );
  }

  if (state.status === "unavailable") return <Unavailable message={state.message} />;

  const Guest = GUEST_ONLY[path];
  if (Guest) return state.status === "signed-in" ? <Redirect to={nextPath(query)} /> : <Guest />;

  const Page = signedInPage(path) ?? (path === "/" ? null : undefined);
  if (Page === undefined) return <NotFound />;
  if (state.status !== "signed-in") {
    const next = path === "/" ? "" : `?next=${encodeURIComponent(path + window.location.search)}`;
    return <Redirect to={`/login${next}`} />;
  }
  if (Page === null) return <Redirect to={HOME} />;
  return (
    <HubProvider key={state.sessionId}>
      <Shell>
        <Suspense fallback={<Spinner label="Loading…" />}>
          <Page />
        </Suspense>
      </Shell>
    </HubProvider>
  );
}

function NotFound() {
  return (
    <AuthLayout title="Page not found" subtitle="There is nothing at this address.">
      <Link className="button button-primary button-block" to="/">
        Go to the console
      </Link>
    </AuthLayout>
  );
}

function Unavailable({ message }: { message: string }) {
  const { reloadUser, logout } = useSession();
  return (
    <AuthLayout title="Cannot load your console" subtitle="You are still signed in; this is likely temporary.">
      <div className="stack">
        <Alert kind="error">{message}</Alert>
        <Button className="button-block" onClick={() => void reloadUser()}>
          Try again
        </Button>
        <Button variant="ghost" className="button-block" onClick={() => void logout()}>
          Log out
        </Button>
      </div>
    </AuthLayout>
  );
}
