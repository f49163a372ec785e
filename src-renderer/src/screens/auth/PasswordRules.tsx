/** The rules main enforces (WEAK_PASSWORD); shown up front so nobody has to guess. */
export function PasswordRules({ id }: { id?: string }) {
  return (
    <ul id={id} className="rules">
      <li>At least 10 characters</li>
      <li>Not the same as the username</li>
      <li>Not a common password</li>
    </ul>
  );
}
