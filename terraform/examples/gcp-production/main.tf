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
  labels     = { "cost-center" = var.cost_center }

  master_authorized_cidrs = var.master_authorized_cidrs

  gpu_max_nodes   = 4
  worker_replicas = { min = 0, max = 8 }

  db_tier                 = "db-custom-4-15360"
  db_high_availability    = true
  redis_high_availability = true

  allowed_client_cidrs           = var.client_cidrs
  enable_private_service_connect = true
  psc_consumer_projects          = var.psc_consumer_projects
  deletion_protection            = true
}
