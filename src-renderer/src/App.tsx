import { useEffect } from 'react';
import { LoginScreen } from './screens/auth/LoginScreen';
import { SetupScreen } from './screens/auth/SetupScreen';
import { Shell } from './screens/shell/Shell';
import { bootstrap } from './session';
import { useApp } from './store';

function ConnectionBanner() {
  const connection = useApp((s) => s.connection);
  if (connection !== 'lost') return null;
  return (
    <div className="banner" role="alert" data-testid="connection-banner">
      Connection to Kavach lost. Reconnecting…
    </div>
  );
}

function Unavailable() {
  const notice = useApp((s) => s.notice);
  useEffect(() => {
    const timer = window.setInterval(() => void bootstrap(), 5_000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="unavailable-title">
        <h1 id="unavailable-title">Kavach is not available</h1>
        <p>{notice ?? 'Kavach could not be reached.'}</p>
        <p className="muted">This window will try again on its own.</p>
      </section>
    </main>
  );
}

export function App() {
  const phase = useApp((s) => s.phase);
  return (
    <>
      <ConnectionBanner />
      {phase === 'starting' ? (
        <main className="auth-page" aria-busy="true">
          <p className="muted">Starting Kavach…</p>
        </main>
      ) : null}
      {phase === 'unavailable' ? <Unavailable /> : null}
      {phase === 'setup' ? <SetupScreen /> : null}
      {phase === 'login' ? <LoginScreen /> : null}
      {phase === 'app' ? <Shell /> : null}
    </>
  );
}
