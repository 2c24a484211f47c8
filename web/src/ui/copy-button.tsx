/** A button that copies text to the clipboard and says so for a moment. */
import { useEffect, useState } from "react";
import { Button } from "./form";

export function CopyButton({ text, label = "Copy", testId }: { text: string; label?: string; testId?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = window.setTimeout(() => setState("idle"), 2000);
    return () => window.clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      // Clipboard access can be refused (permissions, insecure origin); the text stays selectable.
      setState("failed");
    }
  };

  return (
    <Button variant="secondary" size="sm" onClick={copy} data-testid={testId}>
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy" : label}
    </Button>
  );
}
