-- Tenants and their API keys: the minimum the gateway needs to authenticate a caller and scope it to a tenant.

create table tenants (
  id           uuid        primary key,
  -- The public, immutable handle used in URLs, adapter ids (<tenant>/<name>@<version>) and the audit trail.
  slug         text        not null unique check (slug ~ '^[a-z][a-z0-9-]{1,62}$'),
  display_name text        not null,
  status       text        not null default 'active' check (status in ('active', 'suspended')),
  created_at   timestamptz not null default now()
);

create table api_keys (
  id             uuid        primary key,
  tenant_id      uuid        not null references tenants (id),
  -- Stable, non-secret identifier shown in the console, logs and audit events (e.g. key_7Hq2...).
  public_id      text        not null unique,
  name           text        not null,
  -- SHA-256 of the whole secret. The secret carries 256 bits of randomness, so a fast hash is safe and lets the
  -- gateway look a key up by index without ever storing or comparing the secret itself.
  secret_hash    bytea       not null unique,
  -- The first characters of the secret (qvr_ and 4 more), so people can recognise their key.
  display_prefix text        not null,
  scopes         text[]      not null,
  created_at     timestamptz not null default now(),
  created_by     text        not null,
  expires_at     timestamptz,
  last_used_at   timestamptz,
  revoked_at     timestamptz
);

create index api_keys_tenant on api_keys (tenant_id);
