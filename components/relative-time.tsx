"use client";
import { useEffect, useState } from "react";

/** "12 s ago", refreshed every second, with the exact time in a tooltip. */
export function RelativeTime({ at }: { at: Date | null | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!at) return <span className="muted">never</span>;
  const s = Math.max(0, Math.round((now - at.getTime()) / 1000));
  const text = s < 60 ? `${s} s ago` : s < 3600 ? `${Math.floor(s / 60)} min ago` : `${Math.floor(s / 3600)} h ago`;
  return (
    // Rendered on the server too (the cluster page's first rows): the browser's clock and locale differ by
    // design, and the next tick corrects the text.
    <time dateTime={at.toISOString()} title={at.toLocaleString()} suppressHydrationWarning>
      {text}
    </time>
  );
}
