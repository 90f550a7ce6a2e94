-- The audit trail: append-only events forming one SHA-256 hash chain per tenant, and Ed25519-signed checkpoints of
-- each chain head. The application's role (quiver_app) may insert but never update or delete audit rows; a trigger
-- blocks UPDATE, DELETE and TRUNCATE for every role, the owner included, as a second guard. The only way to remove
-- events is audit_purge(), which deletes whole segments that a signed checkpoint covers (the retention policy).

-- Roles are cluster-wide and many databases may migrate at once on one server: create the role idempotently and
-- tolerate losing the race to a concurrent migration.
do $$
begin
	if not exists (select 1 from pg_roles where rolname = 'quiver_app') then
		begin
			create role quiver_app nologin;
		exception when duplicate_object or unique_violation then
			null;
		end;
	end if;
end
$$;

-- The head of each tenant's chain. Appenders lock this row (select ... for update) so that sequence numbers are
-- gap-free and hashes link correctly however many writers (threads, gateway replicas) append at once.
create table audit_chain_head (
	tenant text primary key,
	last_sequence bigint not null,
	last_hash bytea not null,
	updated_at timestamptz not null default now()
);

-- One row per event. hash = SHA-256(prev_hash || canonical JSON of the event), where the canonical JSON is rebuilt
-- from these columns (see io.quiver.audit.chain.CanonicalJson), so editing any column breaks the chain.
-- source_ip is text, not inet, so that the value hashed is exactly the value stored.
create table audit_event (
	tenant text not null,
	sequence bigint not null,
	id uuid not null,
	occurred_at timestamptz not null,
	recorded_at timestamptz not null,
	actor_type text not null,
	actor_id text,
	actor_auth_method text not null,
	actor_key_id text,
	actor_issuer text,
	action text not null,
	resource_type text,
	resource_id text,
	outcome text not null,
	reason text,
	source_ip text,
	user_agent text,
	request_id text,
	trace_id text,
	changes jsonb,
	metadata jsonb not null,
	prev_hash bytea not null,
	hash bytea not null,
	primary key (tenant, sequence)
);

-- Replay from the local spool is idempotent by event id.
create unique index audit_event_id on audit_event (id);
create index audit_event_tenant_occurred on audit_event (tenant, occurred_at);

-- A signed statement "the chain of tenant T had head hash H at sequence N", made periodically.
create table audit_checkpoint (
	tenant text not null,
	sequence bigint not null,
	head_hash bytea not null,
	signed_at timestamptz not null,
	key_id text not null,
	signature bytea not null,
	primary key (tenant, sequence)
);

-- Public halves of the keys that have signed checkpoints, for tools that verify without the application's
-- configuration (bin/quiver audit verify). The application trusts its configured keys, not this table.
create table audit_signing_key (
	key_id text primary key,
	algorithm text not null,
	public_key bytea not null,
	registered_at timestamptz not null default now()
);

create function audit_forbid_row_change() returns trigger
language plpgsql as $$
begin
	-- Retention deletes run inside audit_purge(), which sets this transaction-local flag, and even then only rows
	-- that a checkpoint covers may go.
	if tg_op = 'DELETE' and tg_table_name = 'audit_event' then
		if current_setting('quiver.audit.purge', true) = 'on' and exists (select 1 from audit_checkpoint c
				where c.tenant = old.tenant and c.sequence >= old.sequence) then
			return old;
		end if;
	end if;
	raise exception 'audit trail is append-only: % on % is not allowed', tg_op, tg_table_name
		using errcode = 'insufficient_privilege';
end
$$;

create function audit_forbid_truncate() returns trigger
language plpgsql as $$
begin
	raise exception 'audit trail is append-only: TRUNCATE of % is not allowed', tg_table_name
		using errcode = 'insufficient_privilege';
end
$$;

create trigger audit_event_append_only before update or delete on audit_event
	for each row execute function audit_forbid_row_change();
create trigger audit_event_no_truncate before truncate on audit_event
	for each statement execute function audit_forbid_truncate();
create trigger audit_checkpoint_append_only before update or delete on audit_checkpoint
	for each row execute function audit_forbid_row_change();
create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
	for each statement execute function audit_forbid_truncate();
create trigger audit_signing_key_append_only before update or delete on audit_signing_key
	for each row execute function audit_forbid_row_change();
create trigger audit_chain_head_no_delete before delete on audit_chain_head
	for each row execute function audit_forbid_row_change();
create trigger audit_chain_head_no_truncate before truncate on audit_chain_head
	for each statement execute function audit_forbid_truncate();

-- Removes the events of one tenant up to and including p_through_sequence: only where a signed checkpoint sits at
-- exactly that sequence (so the remaining chain stays anchored) and only if every removed event was recorded more
-- than p_retention ago. Runs as the owner so that quiver_app, which cannot delete, can still apply retention.
create function audit_purge(p_tenant text, p_through_sequence bigint, p_retention interval) returns bigint
language plpgsql security definer set search_path from current as $$
declare
	removed bigint;
begin
	if p_retention < interval '1 day' then
		raise exception 'audit retention must be at least one day, not %', p_retention;
	end if;
	if not exists (select 1 from audit_checkpoint where tenant = p_tenant and sequence = p_through_sequence) then
		raise exception 'no signed checkpoint of % at sequence %', p_tenant, p_through_sequence;
	end if;
	if exists (select 1 from audit_event where tenant = p_tenant and sequence <= p_through_sequence
			and recorded_at >= now() - p_retention) then
		raise exception 'segment of % through sequence % holds events younger than %', p_tenant, p_through_sequence,
			p_retention;
	end if;
	perform set_config('quiver.audit.purge', 'on', true);
	delete from audit_event where tenant = p_tenant and sequence <= p_through_sequence;
	get diagnostics removed = row_count;
	perform set_config('quiver.audit.purge', 'off', true);
	return removed;
end
$$;

revoke all on audit_chain_head, audit_event, audit_checkpoint, audit_signing_key from public;
grant select, insert on audit_event, audit_checkpoint, audit_signing_key to quiver_app;
grant select, insert, update on audit_chain_head to quiver_app;
revoke all on function audit_purge(text, bigint, interval) from public;
grant execute on function audit_purge(text, bigint, interval) to quiver_app;
