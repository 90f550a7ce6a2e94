-- Console sessions and pending organisation sign-ins live in the database, so that whichever gateway replica the load
-- balancer picks serves a signed-in console and completes a sign-in another replica started.

-- Spring Session JDBC's layout (spring.session.jdbc.table-name = console_session); times are epoch milliseconds.
create table console_session (
  primary_id            char(36)     not null primary key,
  session_id            char(36)     not null,
  creation_time         bigint       not null,
  last_access_time      bigint       not null,
  max_inactive_interval int          not null,
  expiry_time           bigint       not null,
  principal_name        text
);
create unique index console_session_session_id on console_session (session_id);
create index console_session_expiry_time on console_session (expiry_time);
create index console_session_principal_name on console_session (principal_name);

create table console_session_attributes (
  session_primary_id char(36)     not null references console_session (primary_id) on delete cascade,
  attribute_name     varchar(200) not null,
  attribute_bytes    bytea        not null,
  primary key (session_primary_id, attribute_name)
);

-- A sign-in that has left for the organisation's identity provider. The browser binding is kept as its SHA-256 only;
-- a row is deleted when the callback claims it, whether or not it matches, and when it expires.
create table console_sign_ins (
  state             text        not null primary key,
  binding_sha256    bytea       not null,
  nonce             text        not null,
  verifier          text        not null,
  tenant_id         uuid        not null,
  issuer            text        not null,
  client_id         text        not null,
  client_secret_ref text,
  token_endpoint    text        not null,
  redirect_uri      text        not null,
  expires_at        timestamptz not null
);
create index console_sign_ins_expires_at on console_sign_ins (expires_at);
