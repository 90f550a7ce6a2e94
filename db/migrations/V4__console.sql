-- Local sign-in for the admin console: the embedded default's bootstrap admin, and any other local account an
-- installation without an identity provider needs. Users of a tenant's own IdP never get a row here.

create table console_accounts (
  id             uuid        primary key,
  tenant_id      uuid        not null references tenants (id),
  username       text        not null unique check (username ~ '^[a-z][a-z0-9._-]{1,62}$'),
  -- A self-describing password hash ({bcrypt}..., {argon2}...), so the algorithm can change without a migration.
  password_hash  text        not null,
  role           text        not null check (role in ('platform_admin', 'tenant_admin', 'auditor')),
  created_at     timestamptz not null default now(),
  last_sign_in_at timestamptz
);

create index console_accounts_tenant on console_accounts (tenant_id);
