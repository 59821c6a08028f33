"use client";
import { useEffect, useRef, type ReactNode } from "react";

/**
 * A modal confirm built on the native <dialog>: focus is trapped and Escape cancels, by the browser.
 * Focus starts on Cancel, so Enter never confirms a disruptive action by accident.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger,
  pending,
  confirmDisabled,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending?: boolean;
  confirmDisabled?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    cancelRef.current?.focus();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby="confirm-title"
      onClose={onClose}
      className="panel"
      style={{ maxWidth: 560, padding: "1.25rem" }}
    >
      <h2 id="confirm-title" style={{ marginTop: 0 }}>
        {title}
      </h2>
      {children}
      <div className="toolbar" style={{ justifyContent: "flex-end", marginTop: "1rem" }}>
        <button ref={cancelRef} type="button" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          className={danger ? "primary danger-fill" : "primary"}
          disabled={pending || confirmDisabled}
          onClick={onConfirm}
        >
          {pending ? "Working…" : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
