"use client";
import { useId } from "react";

export interface TZodIssue {
  path: string;
  message: string;
}

interface TErrorWithIssues {
  data?: { zodIssues?: TZodIssue[] | null } | null;
}

/** The issues of an invalid-input answer ([] for any other error, or none). */
export function zodIssuesOf(error: TErrorWithIssues | null | undefined): TZodIssue[] {
  return error?.data?.zodIssues ?? [];
}

/** The first issue message per form field; issues on paths that are not the form's fields are left out. */
export function fieldMessages(issues: TZodIssue[], fields: readonly string[], under?: string): Map<string, string> {
  const prefix = under ? `${under}.` : "";
  const byField = new Map<string, string>();
  for (const issue of issues) {
    const field = issue.path.startsWith(prefix) ? issue.path.slice(prefix.length) : null;
    if (field !== null && fields.includes(field) && !byField.has(field)) byField.set(field, issue.message);
  }
  return byField;
}

/** Where a form shows the issues that name its fields: an id per field, and the message for it. */
export interface TFieldErrors {
  /** The issue message for a field (its path as the form names it, e.g. "url"), if any. */
  messageFor(field: string): string | undefined;
  /** Props for the field's input: marks it invalid and points at its message for screen readers. */
  inputProps(field: string): { "aria-invalid"?: true; "aria-describedby"?: string };
  /** The id of the field's message element (the error summary links to it). */
  messageId(field: string): string;
  /** The form's field name for an issue path, or null when the path is not one of the form's fields. */
  fieldOf(path: string): string | null;
}

/**
 * Issues of a mutation's answer mapped to the form's fields. `under` strips the input's wrapper object
 * ("data" in `{ id, data: {…} }` inputs), so a form names its fields as a person reads them ("url").
 */
export function useFieldErrors(
  error: TErrorWithIssues | null | undefined,
  fields: readonly string[],
  under?: string,
): TFieldErrors {
  const base = useId();
  const byField = fieldMessages(zodIssuesOf(error), fields, under);
  const prefix = under ? `${under}.` : "";
  const messageId = (field: string) => `${base}-${field.replace(/[^A-Za-z0-9_-]/g, "_")}-error`;
  return {
    messageFor: (field) => byField.get(field),
    inputProps: (field) => (byField.has(field) ? { "aria-invalid": true, "aria-describedby": messageId(field) } : {}),
    messageId,
    fieldOf: (path) => {
      const field = path.startsWith(prefix) ? path.slice(prefix.length) : null;
      return field !== null && byField.has(field) ? field : null;
    },
  };
}
