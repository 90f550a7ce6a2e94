-- The adapter registry: each tenant's LoRA adapters and their immutable versions.

create table adapters (
  id              uuid        primary key,
  tenant_id       uuid        not null references tenants (id),
  -- Used in the OpenAI "model" field, so it must not contain '@' or '/'.
  name            text        not null check (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  -- The version a bare name resolves to; null means the newest ready version.
  default_version text,
  created_at      timestamptz not null default now(),
  created_by      text        not null,
  unique (tenant_id, name)
);

create table adapter_versions (
  id             uuid             primary key,
  adapter_id     uuid             not null references adapters (id),
  tenant_id      uuid             not null references tenants (id),
  -- v1, v2, ...: never reused, so a worker's cache can never serve an old version under a new id.
  version        text             not null check (version ~ '^v[0-9]+$'),
  number         integer          not null check (number > 0),
  -- Where a worker fetches the PEFT directory (adapter_config.json and adapter_model.safetensors).
  source_uri     text             not null,
  -- SHA-256 (hex) of adapter_model.safetensors, which the worker verifies before use.
  sha256         text             not null check (sha256 ~ '^[0-9a-f]{64}$'),
  rank           integer          not null check (rank > 0),
  alpha          double precision,
  target_modules text[]           not null,
  base_model     text             not null,
  status         text             not null check (status in ('ready', 'disabled')),
  size_bytes     bigint,
  registered_at  timestamptz      not null default now(),
  registered_by  text             not null,
  unique (adapter_id, number),
  unique (adapter_id, version)
);

create index adapter_versions_tenant on adapter_versions (tenant_id);
