/**
 * Email delivery behind one interface. Every message is first written to the
 * `email_outbox` table (in the same batch as the change that caused it); a sender
 * then delivers it. In development the outbox is the mailbox; in production
 * `EMAIL_PROVIDER=http` posts to a Resend-compatible API at EMAIL_API_URL.
 */
import { eq } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { emailOutbox } from "../../db/schema";
import { newId } from "../../lib/ids";

export type OutgoingEmail = {
  userId: string | null;
  to: string;
  kind: string;
  subject: string;
  text: string;
  html?: string;
};

/** One stored message as a sender receives it. */
export type DeliverableEmail = { id: string; to: string; subject: string; text: string; html: string | null };

export interface EmailSender {
  /** Delivers one message; returns the provider's id for it. Throws on failure. */
  deliver(message: DeliverableEmail): Promise<string | null>;
}

/** Resend-style API: POST {base}/emails with a bearer key, answers `{id}`. */
export class HttpEmailSender implements EmailSender {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly from: string,
  ) {}

  async deliver(message: DeliverableEmail) {
    const response = await fetch(new URL("emails", this.baseUrl.endsWith("/") ? this.baseUrl : `${this.baseUrl}/`), {
      method: "POST",
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        "content-type": "application/json",
        "idempotency-key": message.id,
      },
      body: JSON.stringify({
        from: this.from,
        to: [message.to],
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`email provider answered ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as { id?: unknown };
    return typeof body.id === "string" ? body.id : null;
  }
}

export function emailSenderFor(env: Env): EmailSender | null {
  if (env.EMAIL_PROVIDER !== "http") return null;
  return new HttpEmailSender(env.EMAIL_API_URL, env.EMAIL_API_KEY, env.EMAIL_FROM);
}

/** The outbox row for a message, to batch with the change that sends it. */
export function outboxInsert(db: Db, env: Env, email: OutgoingEmail) {
  const id = newId();
  const outboxOnly = env.EMAIL_PROVIDER !== "http";
  const now = Date.now();
  const statement = db.insert(emailOutbox).values({
    id,
    userId: email.userId,
    toAddress: email.to,
    kind: email.kind,
    subject: email.subject,
    textBody: email.text,
    htmlBody: email.html ?? null,
    status: outboxOnly ? "sent" : "queued",
    createdAt: now,
    sentAt: outboxOnly ? now : null,
  });
  return { id, statement };
}

/** Hands a queued outbox row to the configured sender and records the outcome. */
export async function deliverQueued(env: Env, id: string): Promise<void> {
  const sender = emailSenderFor(env);
  if (!sender) return;
  const db = getDb(env);
  const row = await db.query.emailOutbox.findFirst({ where: eq(emailOutbox.id, id) });
  if (row?.status !== "queued") return;
  try {
    const providerMessageId = await sender.deliver({
      id: row.id,
      to: row.toAddress,
      subject: row.subject,
      text: row.textBody,
      html: row.htmlBody,
    });
    await db
      .update(emailOutbox)
      .set({ status: "sent", sentAt: Date.now(), providerMessageId })
      .where(eq(emailOutbox.id, id));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db
      .update(emailOutbox)
      .set({ status: "failed", error: message.slice(0, 500) })
      .where(eq(emailOutbox.id, id));
  }
}
