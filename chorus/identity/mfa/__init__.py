"""Second factors: TOTP with single-use recovery codes and WebAuthn passkeys, enforced per role
by the organization with a grace period, and a two-administrator reset of a lost factor."""
