# terraform test (run from terraform/modules/gcp after terraform init): plans against mock providers, so no
# project or credentials are touched. Covers the "existing network and cluster" mode.

mock_provider "google" {
  mock_data "google_project" {
    defaults = { number = "123456789012" }
  }
  mock_data "google_container_cluster" {
    defaults = {
      private_cluster_config = [{ private_endpoint = "172.16.0.34" }]
      master_auth            = [{ cluster_ca_certificate = "Y2E=" }]
    }
  }
}
mock_provider "google-beta" {}
mock_provider "helm" {}
mock_provider "kubernetes" {}
mock_provider "random" {}
mock_provider "tls" {}

variables {
  project_id            = "quiver-test"
  region                = "europe-west4"
  create_network        = false
  network_name          = "shared"
  subnetwork_name       = "shared-europe-west4"
  existing_network_cidr = "10.10.0.0/20"
  create_cluster        = false
  existing_cluster_name = "platform"
  deletion_protection   = false
}

run "existing_network_and_cluster_create_neither" {
  command = plan

  assert {
    condition     = length(module.network) == 0 && length(module.gke) == 0
    error_message = "create_network = false and create_cluster = false must create no network and no cluster."
  }

  assert {
    condition     = output.cluster_name == "platform"
    error_message = "Outputs describe the existing cluster."
  }
}

run "data_stores_have_no_public_address" {
  command = plan

  assert {
    condition     = google_sql_database_instance.this.settings[0].ip_configuration[0].ipv4_enabled == false
    error_message = "Cloud SQL has a private IP only."
  }

  assert {
    condition     = google_storage_bucket.artifacts.public_access_prevention == "enforced"
    error_message = "The bucket can never be public."
  }

  assert {
    condition     = google_redis_instance.this.transit_encryption_mode == "SERVER_AUTHENTICATION"
    error_message = "Redis traffic is encrypted."
  }
}
