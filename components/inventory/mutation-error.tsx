"use client";

interface TErrorLike {
  message: string;
  data?: { zodIssues?: Array<{ path: string; message: string }> | undefined } | null;
}

/** Shows what was wrong with a change in words the operator can act on (field-level where known). */
export function MutationError({ error }: { error: TErrorLike | null }) {
  if (!error) return null;
  const issues = error.data?.zodIssues;
  return (
    <div className="alert error" role="alert">
      {issues && issues.length > 0 ? (
        <ul style={{ margin: 0, paddingLeft: "1.2rem" }}>
          {issues.map((i) => (
            <li key={i.path + i.message}>
              {/* "data.url" → "url": the wrapper object of update/create inputs means nothing to a person */}
              {i.path ? <strong>{i.path.replace(/^data\./, "")}: </strong> : null}
              {i.message}
            </li>
          ))}
        </ul>
      ) : (
        error.message
      )}
    </div>
  );
}
