"use client";
import type { ReactNode } from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { adviceFor, errorKind } from "@/components/errors/error-advice";
import { zodIssuesOf, type TFieldErrors } from "@/components/errors/field-errors";

interface TErrorLike {
  message: string;
  data?: { appCode?: string | null; zodIssues?: Array<{ path: string; message: string }> | null } | null;
}

/**
 * The one way the UI shows a failed query, mutation or subscription: what failed (the caller's context, or
 * the code's title), the server's message (written for people), the issues of invalid input (linked to the
 * fields that show them), and what the person can do, chosen by `data.appCode` (never by message text).
 */
export function ErrorNotice({
  error,
  context,
  notFound,
  fields,
  inline = false,
  advice: adviceOverride,
  children,
}: {
  error: TErrorLike | null | undefined;
  /** What was being done, e.g. "Cannot load the audit log" (default: the code's title). */
  context?: string;
  /** Said instead of the server's message when the answer is NOT_FOUND, e.g. "There is no cluster named x". */
  notFound?: ReactNode;
  /** The form's fields, so each issue links to the field that shows it. */
  fields?: TFieldErrors;
  /** A one-line form for toolbars and table cells. */
  inline?: boolean;
  /**
   * Replaces the code's advice where it would mislead: on the sign-in page an UNAUTHENTICATED answer
   * means a wrong password, not an ended session (and a "Sign in" link would point at the page itself).
   */
  advice?: ReactNode;
  /** More ways out (a link back, a note that the page retries by itself). */
  children?: ReactNode;
}) {
  const pathname = usePathname();
  if (!error) return null;
  const kind = errorKind(error);
  const { title, advice: codeAdvice } = adviceFor(kind);
  const advice = adviceOverride ?? codeAdvice;
  const issues = zodIssuesOf(error);
  // An input error's message is the raw list of issues: the list below says it better.
  const detail = kind === "NOT_FOUND" && notFound ? notFound : issues.length > 0 ? null : error.message;
  const signIn = kind === "UNAUTHENTICATED" && adviceOverride === undefined && (
    <Link href={`/login?next=${encodeURIComponent(pathname || "/")}`}>Sign in</Link>
  );

  if (inline) {
    return (
      <span className="field-error" role="alert" data-app-code={kind}>
        {context ?? title}: {detail ?? issues.map((i) => issueText(i)).join("; ")}. {advice} {signIn} {children}
      </span>
    );
  }
  return (
    <div className="alert error" role="alert" data-app-code={kind}>
      <p className="error-what">
        <strong>{context ?? title}:</strong> {detail}
      </p>
      {issues.length > 0 && (
        <ul className="error-issues">
          {issues.map((i) => {
            const field = fields?.fieldOf(i.path);
            return (
              <li key={i.path + i.message}>
                {fields && field ? <a href={`#${fields.messageId(field)}`}>{issueText(i)}</a> : issueText(i)}
              </li>
            );
          })}
        </ul>
      )}
      <p className="error-advice">
        {advice} {signIn}
      </p>
      {children}
    </div>
  );
}

/** "data.url" → "url: …": the wrapper object of create/update inputs means nothing to a person. */
function issueText(i: { path: string; message: string }): string {
  const path = i.path.replace(/^data\./, "");
  return path ? `${path}: ${i.message}` : i.message;
}

/** The message of the issue that names one field, beside that field (see useFieldErrors). */
export function FieldError({ fields, field }: { fields: TFieldErrors; field: string }) {
  const message = fields.messageFor(field);
  if (!message) return null;
  return (
    <span id={fields.messageId(field)} className="field-error">
      {message}
    </span>
  );
}
