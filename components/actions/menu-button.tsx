"use client";
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { createPortal } from "react-dom";

export interface TMenuItem {
  label: string;
  onSelect: () => void;
  /** Shown on the item (a kind's limit, why it is not offered). */
  hint?: string;
  danger?: boolean;
}

/**
 * A button that opens a menu of actions (the WAI-ARIA menu button pattern): Enter, Space or ArrowDown
 * opens it with focus on the first item, arrows and Home/End move, Escape closes and returns focus,
 * Tab or a click elsewhere closes it. The menu is drawn in a portal with fixed position, so a scrolling
 * table never clips it; a scroll that moves its button closes it.
 */
export function MenuButton({
  label,
  ariaLabel,
  items,
  buttonProps,
}: {
  label: string;
  ariaLabel: string;
  items: TMenuItem[];
  buttonProps?: Record<string, string>;
}) {
  const [open, setOpen] = useState(false);
  const [pos, setPos] = useState<{ top: number; right: number } | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  /** Where the button was when the menu was placed: a scroll that did not move it leaves the menu open. */
  const anchorRef = useRef<{ top: number; left: number } | null>(null);
  const id = useId();

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  useLayoutEffect(() => {
    if (!open || !buttonRef.current) return;
    const r = buttonRef.current.getBoundingClientRect();
    anchorRef.current = { top: r.top, left: r.left };
    const height = menuRef.current?.offsetHeight ?? 0;
    const below = r.bottom + 2 + height <= window.innerHeight;
    setPos({ top: below ? r.bottom + 2 : Math.max(4, r.top - 2 - height), right: window.innerWidth - r.right });
    menuRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: MouseEvent) => {
      if (!menuRef.current?.contains(e.target as Node) && !buttonRef.current?.contains(e.target as Node)) close(false);
    };
    // A scroll event is dispatched at the next frame: one for a scroll that happened just before the
    // menu opened (a browser bringing the button into view for the click) must not close it. Close only
    // when the button really moved away from where the menu was placed.
    const onScroll = (e: Event) => {
      if (menuRef.current?.contains(e.target as Node)) return;
      const r = buttonRef.current?.getBoundingClientRect();
      const at = anchorRef.current;
      if (!r || !at || Math.abs(r.top - at.top) > 1 || Math.abs(r.left - at.left) > 1) close(false);
    };
    document.addEventListener("mousedown", onPointer);
    window.addEventListener("scroll", onScroll, true);
    return () => {
      document.removeEventListener("mousedown", onPointer);
      window.removeEventListener("scroll", onScroll, true);
    };
  }, [open]);

  const onMenuKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const all = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => all[(i + all.length) % all.length]?.focus();
    if (e.key === "ArrowDown") go(at + 1);
    else if (e.key === "ArrowUp") go(at - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(all.length - 1);
    else if (e.key === "Escape") close(true);
    else if (e.key === "Tab") close(false);
    else return;
    if (e.key !== "Tab") e.preventDefault();
  };

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className="menu-button"
        aria-label={ariaLabel}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
        {...buttonProps}
      >
        {label} <span aria-hidden="true">▾</span>
      </button>
      {open &&
        createPortal(
          <div
            ref={menuRef}
            id={id}
            role="menu"
            aria-label={ariaLabel}
            className="menu"
            style={{ position: "fixed", top: pos?.top ?? -9999, right: pos?.right ?? 0 }}
            onKeyDown={onMenuKey}
          >
            {items.map((item) => (
              <button
                key={item.label}
                type="button"
                role="menuitem"
                tabIndex={-1}
                className={item.danger ? "danger" : undefined}
                title={item.hint}
                onClick={() => {
                  close(true);
                  item.onSelect();
                }}
              >
                {item.label}
                {item.hint && <span className="menu-hint">{item.hint}</span>}
              </button>
            ))}
          </div>,
          document.body,
        )}
    </>
  );
}
