/**
 * Form building blocks shared by every page: labelled fields, buttons with a
 * busy state, and alerts for the API's error messages and for notices.
 */
import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode } from "react";
import { useId } from "react";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode };

export function Field({ label, hint, id, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} aria-describedby={hint ? `${inputId}-hint` : undefined} {...input} />
      {hint ? (
        <p className="field-hint" id={`${inputId}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "danger" | "ghost";
  size?: "md" | "sm";
  busy?: boolean;
};

export function Button({ variant = "primary", size = "md", busy = false, className, children, ...rest }: ButtonProps) {
  const classes = ["button", `button-${variant}`, size === "sm" ? "button-sm" : "", className ?? ""];
  return (
    <button
      type="button"
      className={classes.filter(Boolean).join(" ")}
      disabled={busy || rest.disabled}
      aria-busy={busy}
      {...rest}
    >
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

type AlertProps = {
  kind: "error" | "info" | "success" | "warning";
  title?: string;
  children: ReactNode;
  testId?: string;
};

export function Alert({ kind, title, children, testId }: AlertProps) {
  return (
    <div className={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"} data-testid={testId}>
      {title ? <strong className="alert-title">{title}</strong> : null}
      <div>{children}</div>
    </div>
  );
}

export function Spinner({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
