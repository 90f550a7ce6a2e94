provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
}

data "google_client_config" "current" {}

# The control plane has a private endpoint only: run Terraform from inside the network (or a peered one).
provider "kubernetes" {
  host                   = "https://${module.quiver.cluster_endpoint}"
  cluster_ca_certificate = base64decode(module.quiver.cluster_ca_certificate)
  token                  = data.google_client_config.current.access_token
}

provider "helm" {
  kubernetes {
    host                   = "https://${module.quiver.cluster_endpoint}"
    cluster_ca_certificate = base64decode(module.quiver.cluster_ca_certificate)
    token                  = data.google_client_config.current.access_token
  }
}

module "quiver" {
  source = "../../modules/gcp"

  name       = "quiver"
  project_id = var.project_id
  region     = var.region

  # A trial: one L4 node per zone at most, zonal database, basic cache, everything deletable.
  gpu_max_nodes           = 1
  worker_replicas         = { min = 0, max = 1 }
  db_tier                 = "db-custom-1-3840"
  db_high_availability    = false
  redis_high_availability = false
  redis_memory_size_gb    = 1
  deletion_protection     = false
}
