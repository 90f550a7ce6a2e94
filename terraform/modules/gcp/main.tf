data "google_project" "this" {
  project_id = var.project_id
}

locals {
  network_name    = var.create_network ? module.network[0].network_name : var.network_name
  network_id      = var.create_network ? module.network[0].network_id : data.google_compute_network.existing[0].id
  subnetwork_name = var.create_network ? "${var.name}-nodes" : var.subnetwork_name
  subnet_cidr     = var.create_network ? var.subnet_cidr : var.existing_network_cidr
  pods_range      = var.create_network ? "${var.name}-pods" : var.pods_range_name
  services_range  = var.create_network ? "${var.name}-services" : var.services_range_name

  cluster_name     = var.create_cluster ? module.gke[0].name : var.existing_cluster_name
  cluster_endpoint = var.create_cluster ? module.gke[0].endpoint : data.google_container_cluster.existing[0].private_cluster_config[0].private_endpoint
  cluster_ca       = var.create_cluster ? module.gke[0].ca_certificate : data.google_container_cluster.existing[0].master_auth[0].cluster_ca_certificate

  namespace       = "quiver"
  image_registry  = coalesce(var.image_registry, "${var.region}-docker.pkg.dev/${var.project_id}/${var.name}")
  client_cidrs    = length(var.allowed_client_cidrs) > 0 ? var.allowed_client_cidrs : [local.subnet_cidr]
  bucket_name     = "${var.name}-artifacts-${var.project_id}"
  model_uri       = "gs://${local.bucket_name}/models/${var.model_id}"
  redis_url       = "rediss://:${google_redis_instance.this.auth_string}@${google_redis_instance.this.host}:${google_redis_instance.this.port}"
  audit_key_pkcs8 = replace(replace(replace(tls_private_key.audit.private_key_pem, "-----BEGIN PRIVATE KEY-----", ""), "-----END PRIVATE KEY-----", ""), "\n", "")
  project_number  = data.google_project.this.number

  labels = merge(var.labels, { "quiver-deployment" = var.name })

  services = ["compute.googleapis.com", "container.googleapis.com", "sqladmin.googleapis.com", "redis.googleapis.com",
    "secretmanager.googleapis.com", "cloudkms.googleapis.com", "artifactregistry.googleapis.com",
  "servicenetworking.googleapis.com", "iam.googleapis.com"]
}

resource "google_project_service" "this" {
  for_each = toset(local.services)

  project            = var.project_id
  service            = each.key
  disable_on_destroy = false
}

################################################################################
# Network: one subnet with pod and service ranges, private access to Google APIs
################################################################################

module "network" {
  source  = "terraform-google-modules/network/google"
  version = "10.0.0"
  count   = var.create_network ? 1 : 0

  project_id   = var.project_id
  network_name = var.name
  routing_mode = "REGIONAL"

  subnets = concat(
    [{
      subnet_name           = "${var.name}-nodes"
      subnet_ip             = var.subnet_cidr
      subnet_region         = var.region
      subnet_private_access = "true"
      subnet_flow_logs      = "true"
    }],
    var.enable_private_service_connect ? [{
      subnet_name   = "${var.name}-psc"
      subnet_ip     = var.psc_nat_cidr
      subnet_region = var.region
      purpose       = "PRIVATE_SERVICE_CONNECT"
    }] : [],
  )

  secondary_ranges = {
    "${var.name}-nodes" = [
      { range_name = "${var.name}-pods", ip_cidr_range = var.pods_cidr },
      { range_name = "${var.name}-services", ip_cidr_range = var.services_cidr },
    ]
  }

  depends_on = [google_project_service.this]
}

data "google_compute_network" "existing" {
  count   = var.create_network ? 0 : 1
  project = var.project_id
  name    = var.network_name
}

resource "google_compute_router" "this" {
  count   = var.enable_cloud_nat ? 1 : 0
  project = var.project_id
  name    = "${var.name}-router"
  region  = var.region
  network = local.network_id
}

resource "google_compute_router_nat" "this" {
  count                              = var.enable_cloud_nat ? 1 : 0
  project                            = var.project_id
  name                               = "${var.name}-nat"
  router                             = google_compute_router.this[0].name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
}

# Private services access: Cloud SQL and Memorystore get addresses inside this network, no public IPs.
resource "google_compute_global_address" "private_services" {
  project       = var.project_id
  name          = "${var.name}-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 20
  network       = local.network_id
}

resource "google_service_networking_connection" "this" {
  network                 = local.network_id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]
}

################################################################################
# Customer-managed key (Cloud KMS) for the bucket, database, cache, secrets and etcd
################################################################################

resource "google_kms_key_ring" "this" {
  project  = var.project_id
  name     = var.name
  location = var.region

  depends_on = [google_project_service.this]
}

resource "google_kms_crypto_key" "this" {
  name            = "${var.name}-data"
  key_ring        = google_kms_key_ring.this.id
  rotation_period = "7776000s"
  labels          = local.labels
}

resource "google_project_service_identity" "this" {
  provider = google-beta
  for_each = toset(["sqladmin.googleapis.com", "secretmanager.googleapis.com"])

  project = var.project_id
  service = each.key
}

resource "google_kms_crypto_key_iam_member" "service_agents" {
  for_each = {
    storage       = "serviceAccount:service-${local.project_number}@gs-project-accounts.iam.gserviceaccount.com"
    sql           = "serviceAccount:${google_project_service_identity.this["sqladmin.googleapis.com"].email}"
    secretmanager = "serviceAccount:${google_project_service_identity.this["secretmanager.googleapis.com"].email}"
    redis         = "serviceAccount:service-${local.project_number}@cloud-redis.iam.gserviceaccount.com"
    gke           = "serviceAccount:service-${local.project_number}@container-engine-robot.iam.gserviceaccount.com"
  }

  crypto_key_id = google_kms_crypto_key.this.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value
}

################################################################################
# Private GKE: private endpoint and nodes, Workload Identity, Dataplane V2, L4 pool from zero
################################################################################

module "gke" {
  source  = "terraform-google-modules/kubernetes-engine/google//modules/private-cluster"
  version = "36.0.0"
  count   = var.create_cluster ? 1 : 0

  project_id        = var.project_id
  name              = var.name
  region            = var.region
  network           = local.network_name
  subnetwork        = local.subnetwork_name
  ip_range_pods     = local.pods_range
  ip_range_services = local.services_range
  release_channel   = var.release_channel

  enable_private_endpoint    = true
  enable_private_nodes       = true
  master_ipv4_cidr_block     = var.master_cidr
  master_authorized_networks = [for cidr in concat([local.subnet_cidr], var.master_authorized_cidrs) : { cidr_block = cidr, display_name = cidr }]

  identity_namespace       = "enabled"
  datapath_provider        = "ADVANCED_DATAPATH"
  remove_default_node_pool = true
  deletion_protection      = var.deletion_protection
  database_encryption      = [{ state = "ENCRYPTED", key_name = google_kms_crypto_key.this.id }]
  create_service_account   = true
  grant_registry_access    = true

  node_pools = [
    {
      name         = "system"
      machine_type = var.system_machine_type
      min_count    = var.system_node_count.min
      max_count    = var.system_node_count.max
      disk_size_gb = 100
      auto_upgrade = true
    },
    {
      name               = "gpu"
      machine_type       = var.gpu_machine_type
      accelerator_type   = var.gpu_type
      accelerator_count  = 1
      gpu_driver_version = "LATEST"
      min_count          = 0
      max_count          = var.gpu_max_nodes
      initial_node_count = 0
      spot               = var.gpu_spot
      disk_size_gb       = 200
      disk_type          = "pd-ssd"
      auto_upgrade       = true
    },
  ]

  node_pools_labels = {
    system = { "quiver.io/pool" = "system" }
    gpu    = { "quiver.io/pool" = "gpu" }
  }

  node_pools_taints = {
    gpu = [{ key = "nvidia.com/gpu", value = "present", effect = "NO_SCHEDULE" }]
  }

  cluster_resource_labels = local.labels

  depends_on = [google_project_service.this, google_kms_crypto_key_iam_member.service_agents, module.network]
}

data "google_container_cluster" "existing" {
  count    = var.create_cluster ? 0 : 1
  project  = var.project_id
  name     = var.existing_cluster_name
  location = var.region
}

################################################################################
# Bucket (CMEK, versioned, never public) and the image repository
################################################################################

resource "google_storage_bucket" "artifacts" {
  project                     = var.project_id
  name                        = local.bucket_name
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection
  labels                      = local.labels

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = google_kms_crypto_key.this.id
  }

  depends_on = [google_kms_crypto_key_iam_member.service_agents]
}

resource "google_artifact_registry_repository" "images" {
  count = var.image_registry == null ? 1 : 0

  project       = var.project_id
  location      = var.region
  repository_id = var.name
  format        = "DOCKER"
  description   = "Quiver images (quiver-gateway, quiver-worker, quiver-worker-cuda)"
  labels        = local.labels

  docker_config {
    immutable_tags = true
  }

  depends_on = [google_project_service.this]
}

################################################################################
# PostgreSQL (Cloud SQL, private IP only) and Redis (Memorystore, TLS + AUTH)
################################################################################

resource "random_password" "db" {
  length  = 32
  special = false
}

resource "google_sql_database_instance" "this" {
  project             = var.project_id
  name                = var.name
  region              = var.region
  database_version    = "POSTGRES_17"
  encryption_key_name = google_kms_crypto_key.this.id
  deletion_protection = var.deletion_protection

  settings {
    tier                        = var.db_tier
    edition                     = "ENTERPRISE"
    availability_type           = var.db_high_availability ? "REGIONAL" : "ZONAL"
    deletion_protection_enabled = var.deletion_protection
    user_labels                 = local.labels

    ip_configuration {
      ipv4_enabled    = false
      private_network = local.network_id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }
  }

  depends_on = [google_service_networking_connection.this, google_kms_crypto_key_iam_member.service_agents]
}

resource "google_sql_database" "quiver" {
  project  = var.project_id
  name     = "quiver"
  instance = google_sql_database_instance.this.name
}

resource "google_sql_user" "quiver" {
  project  = var.project_id
  name     = "quiver"
  instance = google_sql_database_instance.this.name
  password = random_password.db.result
}

resource "google_redis_instance" "this" {
  project                 = var.project_id
  name                    = var.name
  region                  = var.region
  tier                    = var.redis_high_availability ? "STANDARD_HA" : "BASIC"
  memory_size_gb          = var.redis_memory_size_gb
  redis_version           = "REDIS_7_2"
  authorized_network      = local.network_id
  connect_mode            = "PRIVATE_SERVICE_ACCESS"
  auth_enabled            = true
  transit_encryption_mode = "SERVER_AUTHENTICATION"
  customer_managed_key    = google_kms_crypto_key.this.id
  labels                  = local.labels

  depends_on = [google_service_networking_connection.this, google_kms_crypto_key_iam_member.service_agents]
}

################################################################################
# Secrets (Secret Manager, CMEK) the gateway reads through External Secrets
################################################################################

resource "tls_private_key" "audit" {
  algorithm = "ED25519"
}

resource "random_password" "bootstrap_admin" {
  length  = 32
  special = false
}

resource "google_secret_manager_secret" "this" {
  for_each = toset(["database", "redis", "audit-signing-key", "bootstrap-admin-password"])

  project   = var.project_id
  secret_id = "${var.name}-${each.key}"
  labels    = local.labels

  replication {
    user_managed {
      replicas {
        location = var.region
        customer_managed_encryption {
          kms_key_name = google_kms_crypto_key.this.id
        }
      }
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.service_agents]
}

resource "google_secret_manager_secret_version" "this" {
  for_each = {
    "database"                 = jsonencode({ username = google_sql_user.quiver.name, password = random_password.db.result })
    "redis"                    = jsonencode({ url = local.redis_url, ca = join("\n", google_redis_instance.this.server_ca_certs[*].cert) })
    "audit-signing-key"        = local.audit_key_pkcs8
    "bootstrap-admin-password" = random_password.bootstrap_admin.result
  }

  secret      = google_secret_manager_secret.this[each.key].id
  secret_data = each.value
}

################################################################################
# Identities (Workload Identity): the gateway reads its secrets, the workers read the bucket
################################################################################

resource "google_service_account" "gateway" {
  project      = var.project_id
  account_id   = "${var.name}-gateway"
  display_name = "Quiver gateway (${var.name})"
}

resource "google_service_account" "worker" {
  project      = var.project_id
  account_id   = "${var.name}-worker"
  display_name = "Quiver workers (${var.name})"
}

resource "google_service_account_iam_member" "workload_identity" {
  for_each = {
    gateway = google_service_account.gateway.name
    worker  = google_service_account.worker.name
  }

  service_account_id = each.value
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${local.namespace}/quiver-${each.key}]"

  depends_on = [module.gke]
}

resource "google_secret_manager_secret_iam_member" "gateway" {
  for_each = google_secret_manager_secret.this

  project   = var.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.gateway.email}"
}

resource "google_storage_bucket_iam_member" "worker" {
  bucket = google_storage_bucket.artifacts.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.worker.email}"
}

# The gateway publishes uploaded adapters under adapters/ and may create objects nowhere else.
resource "google_storage_bucket_iam_member" "gateway_adapters" {
  bucket = google_storage_bucket.artifacts.name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.gateway.email}"

  condition {
    title      = "adapters-only"
    expression = "resource.name.startsWith(\"projects/_/buckets/${google_storage_bucket.artifacts.name}/objects/adapters/\")"
  }
}

################################################################################
# Quiver itself
################################################################################

module "app" {
  source = "../quiver-app"

  cloud          = "gcp"
  namespace      = local.namespace
  image_registry = local.image_registry
  image_tag      = var.image_tag
  database_url   = "jdbc:postgresql://${google_sql_database_instance.this.private_ip_address}:5432/quiver?sslmode=require"
  model_id       = var.model_id
  model_uri      = local.model_uri

  adapter_store_uri = "gs://${google_storage_bucket.artifacts.name}/adapters"

  gateway_service_account_annotations = { "iam.gke.io/gcp-service-account" = google_service_account.gateway.email }
  worker_service_account_annotations  = { "iam.gke.io/gcp-service-account" = google_service_account.worker.email }

  # GKE installs the NVIDIA driver and device plugin on GPU nodes itself.
  install_nvidia_device_plugin = false

  worker_replicas         = var.worker_replicas
  public                  = var.expose_publicly
  allowed_client_cidrs    = local.client_cidrs
  identity_provider_cidrs = var.identity_provider_cidrs
  data_cidrs              = ["${google_compute_global_address.private_services.address}/${google_compute_global_address.private_services.prefix_length}"]

  private_endpoint = {
    enabled           = var.enable_private_service_connect
    nat_subnets       = ["${var.name}-psc"]
    allowed_consumers = var.psc_consumer_projects
  }

  secrets = {
    provider = "externalSecrets"
    store = {
      gcpsm = {
        projectID = var.project_id
        auth = {
          workloadIdentity = {
            clusterLocation  = var.region
            clusterName      = local.cluster_name
            clusterProjectID = var.project_id
          }
        }
      }
    }
    remote_refs = {
      SPRING_DATASOURCE_USERNAME = { key = google_secret_manager_secret.this["database"].secret_id, property = "username" }
      SPRING_DATASOURCE_PASSWORD = { key = google_secret_manager_secret.this["database"].secret_id, property = "password" }
      SPRING_DATA_REDIS_URL      = { key = google_secret_manager_secret.this["redis"].secret_id, property = "url" }
      # Memorystore's TLS certificate comes from a per-instance CA: the gateway trusts it through an SSL bundle.
      SPRING_SSL_BUNDLE_PEM_REDIS_TRUSTSTORE_CERTIFICATE = { key = google_secret_manager_secret.this["redis"].secret_id, property = "ca" }
      QUIVER_AUDIT_SIGNING_KEY                           = { key = google_secret_manager_secret.this["audit-signing-key"].secret_id }
      QUIVER_BOOTSTRAP_ADMIN_PASSWORD                    = { key = google_secret_manager_secret.this["bootstrap-admin-password"].secret_id }
    }
  }

  extra_values = { gateway = { env = { SPRING_DATA_REDIS_SSL_BUNDLE = "redis" } } }

  depends_on = [module.gke, google_secret_manager_secret_version.this, google_service_account_iam_member.workload_identity]
}
