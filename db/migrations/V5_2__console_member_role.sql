-- Local console accounts may also be members: they use the tenant's models in the playground and read its adapters
-- and usage, but change nothing.

alter table console_accounts drop constraint console_accounts_role_check;
alter table console_accounts add constraint console_accounts_role_check
  check (role in ('platform_admin', 'tenant_admin', 'member', 'auditor'));
