import { type ReactNode, useEffect, useRef, useState } from 'react';
import './components.css';

/**
 * A windowed list with a fixed row height: only the rows in view (plus a few either side)
 * are in the DOM, so a long result list stays as quick as a short one. It is a listbox
 * whose active row is driven from outside (typically a combobox input keeps the focus and
 * points at the row with aria-activedescendant), so keyboard handling lives with the input.
 */
export interface VirtualListProps<T> {
  id: string;
  label: string;
  items: readonly T[];
  rowHeight: number;
  /** How many rows fit before the list scrolls. */
  visibleRows: number;
  activeIndex: number;
  getKey: (item: T) => string;
  renderRow: (item: T, index: number) => ReactNode;
  onPick: (item: T, index: number) => void;
  onHover?: (index: number) => void;
  testId?: string;
}

const OVERSCAN = 4;

/** The rows to render: those in the viewport plus OVERSCAN either side, as [first, last). */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewportHeight) / rowHeight) + OVERSCAN);
  return [first, Math.max(first, last)];
}

/** Where the viewport must scroll so that row `index` is fully in view. */
export function scrollToShow(
  index: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}

export function optionId(listId: string, index: number): string {
  return `${listId}-option-${index}`;
}

export function VirtualList<T>(props: VirtualListProps<T>) {
  const { id, items, rowHeight, visibleRows, activeIndex } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const viewport = Math.min(items.length, visibleRows) * rowHeight;

  // Keep the active row in view as the arrow keys move it.
  useEffect(() => {
    const el = ref.current;
    if (!el || activeIndex < 0) return;
    const top = activeIndex * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight)
      el.scrollTop = top + rowHeight - el.clientHeight;
  }, [activeIndex, rowHeight]);

  const [first, last] = visibleRange(scrollTop, viewport, rowHeight, items.length);
  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    const item = items[index] as T;
    rows.push(
      // biome-ignore lint/a11y/useKeyWithClickEvents: the owning combobox handles the keyboard for every row
      <div
        key={props.getKey(item)}
        id={optionId(id, index)}
        role="option"
        tabIndex={-1}
        aria-selected={index === activeIndex}
        aria-setsize={items.length}
        aria-posinset={index + 1}
        className={index === activeIndex ? 'vlist-row vlist-row-active' : 'vlist-row'}
        style={{ top: index * rowHeight, height: rowHeight }}
        // Keeps the focus in the search box, so the keyboard keeps working after a click.
        onMouseDown={(event) => event.preventDefault()}
        onMouseMove={() => props.onHover?.(index)}
        onClick={() => props.onPick(item, index)}
      >
        {props.renderRow(item, index)}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      id={id}
      role="listbox"
      aria-label={props.label}
      tabIndex={-1}
      className={items.length === 0 ? 'vlist vlist-empty' : 'vlist'}
      style={{ height: viewport }}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      data-testid={props.testId}
    >
      <div role="presentation" className="vlist-spacer" style={{ height: items.length * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
