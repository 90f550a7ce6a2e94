-- Removing a service account revokes its keys first; the revoked keys stay on record without their owner.
alter table api_keys
  drop constraint api_keys_service_account_id_fkey,
  add constraint api_keys_service_account_id_fkey
    foreign key (service_account_id) references members (id) on delete set null;
