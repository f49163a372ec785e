import { ROLE_LABELS } from '../../../../src-shared/roles';
import { homeFor } from '../../router';
import { useApp } from '../../store';

function HomeLink() {
  const user = useApp((s) => s.user);
  if (!user) return null;
  return <a href={`#${homeFor(user.role)}`}>Go to your start screen</a>;
}

export function NotPermitted() {
  const user = useApp((s) => s.user);
  return (
    <section className="card panel" data-testid="not-permitted" aria-labelledby="np-title">
      <h1 id="np-title">Not permitted</h1>
      <p>
        This screen is not available to the {user ? ROLE_LABELS[user.role].toLowerCase() : 'current'} role.
        Ask an administrator if you need access.
      </p>
      <HomeLink />
    </section>
  );
}

export function NotFound() {
  return (
    <section className="card panel" aria-labelledby="nf-title">
      <h1 id="nf-title">Page not found</h1>
      <p>There is no screen at this address.</p>
      <HomeLink />
    </section>
  );
}
