-- The admin console signs people in with their tenant's identity provider (OpenID Connect, authorization code with
-- PKCE), as a client registered there. Only the client id and the name of the setting that holds the client secret
-- (an environment variable or configuration property) are stored: never the secret itself. A provider without a
-- console client id authenticates API callers only.
alter table identity_providers
  add column console_client_id         text check (length(console_client_id) between 1 and 256),
  add column console_client_secret_ref text check (console_client_secret_ref ~ '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$'),
  add constraint identity_providers_secret_needs_client
    check (console_client_secret_ref is null or console_client_id is not null);
