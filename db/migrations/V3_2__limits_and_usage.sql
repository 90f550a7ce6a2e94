-- Limits per tenant and per key, and metered usage: one row per request (append-only) and a daily roll-up.

create table limits (
  id                  uuid        primary key,
  tenant_id           uuid        not null references tenants (id),
  -- Null for the tenant's own limits; set for one key's.
  api_key_id          uuid        references api_keys (id),
  requests_per_minute integer     check (requests_per_minute >= 0),
  tokens_per_minute   bigint      check (tokens_per_minute >= 0),
  concurrent_requests integer     check (concurrent_requests >= 0),
  token_budget        bigint      check (token_budget >= 0),
  budget_period       text        check (budget_period in ('day', 'month')),
  updated_at          timestamptz not null default now(),
  updated_by          text        not null
);

create unique index limits_tenant on limits (tenant_id) where api_key_id is null;
create unique index limits_api_key on limits (api_key_id) where api_key_id is not null;

create table usage_records (
  id                bigserial   primary key,
  tenant_id         uuid        not null references tenants (id),
  api_key_id        text,
  subject           text,
  model             text        not null,
  adapter           text,
  prompt_tokens     integer     not null default 0,
  completion_tokens integer     not null default 0,
  latency_ms        integer     not null,
  status            integer     not null,
  request_id        text,
  occurred_at       timestamptz not null
);

create index usage_records_tenant_time on usage_records (tenant_id, occurred_at);

-- Metering is evidence for billing: rows are only ever added.
create function usage_records_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'usage_records is append-only';
end
$$;

create trigger usage_records_append_only before update or delete on usage_records
  for each statement execute function usage_records_append_only();

create table usage_daily (
  tenant_id         uuid   not null references tenants (id),
  day               date   not null,
  api_key_id        text   not null default '',
  adapter           text   not null default '',
  requests          bigint not null default 0,
  errors            bigint not null default 0,
  prompt_tokens     bigint not null default 0,
  completion_tokens bigint not null default 0,
  primary key (tenant_id, day, api_key_id, adapter)
);
