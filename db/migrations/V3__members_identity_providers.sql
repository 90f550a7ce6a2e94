-- Who may act in a tenant and how they prove it: members (people and service accounts) with one role each, the
-- tenant's own identity providers, and what API keys additionally carry (owner, allowed models, rotation).

create table members (
  id           uuid        primary key,
  -- Stable, non-secret handle used in URLs and audit events (mem_...).
  public_id    text        not null unique,
  tenant_id    uuid        not null references tenants (id),
  kind         text        not null check (kind in ('user', 'service_account')),
  -- A user's subject as their identity provider states it (the subject claim); a service account's name.
  subject      text        not null check (length(subject) between 1 and 256),
  display_name text        not null,
  role         text        not null check (role in ('platform_admin', 'tenant_admin', 'member', 'auditor')),
  created_at   timestamptz not null default now(),
  created_by   text        not null,
  unique (tenant_id, kind, subject)
);

create table identity_providers (
  id            uuid        primary key,
  public_id     text        not null unique,
  tenant_id     uuid        not null references tenants (id),
  -- Unique across all tenants: the issuer alone decides which tenant a token speaks for.
  issuer        text        not null unique,
  -- Keys are fetched from here and nowhere else; never discovered from a token.
  jwks_uri      text        not null,
  audience      text        not null,
  algorithms    text[]      not null check (cardinality(algorithms) > 0),
  subject_claim text        not null default 'sub',
  -- Dotted path to the claim that carries roles or groups: realm_access.roles (Keycloak), roles (Entra ID),
  -- groups (Okta).
  roles_claim   text        not null,
  created_at    timestamptz not null default now(),
  created_by    text        not null
);

create index identity_providers_tenant on identity_providers (tenant_id);

-- A value of the roles claim and the Quiver role it grants.
create table identity_provider_role_mappings (
  identity_provider_id uuid not null references identity_providers (id) on delete cascade,
  claim_value          text not null,
  role                 text not null check (role in ('tenant_admin', 'member', 'auditor')),
  primary key (identity_provider_id, claim_value)
);

alter table api_keys
  add column service_account_id uuid references members (id),
  -- Models and adapters the key may use (adapter names or base model ids); null means all of its tenant's.
  add column allowed_models     text[],
  -- The public id of the key that replaced this one in a rotation.
  add column replaced_by        text;
