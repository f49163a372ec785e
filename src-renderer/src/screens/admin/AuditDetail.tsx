import type { AuditDetail } from '../../../../src-shared/audit';

/** "fields: query; categories: sql" — detail holds ids, counts and names of fields only. */
export function detailText(detail: AuditDetail): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('; ');
}

/** A long id cut to its first 8 characters, whole in the tooltip. */
export function ShortId({ id }: { id: string | null }) {
  if (id === null) return <span className="muted">—</span>;
  return (
    <span className="mono" title={id}>
      {id.length > 12 ? `${id.slice(0, 8)}…` : id}
    </span>
  );
}
