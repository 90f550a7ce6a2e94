provider "aws" {
  region = var.region

  default_tags {
    tags = { "managed-by" = "terraform", "app" = "quiver" }
  }
}

# The cluster's API endpoint is private: run Terraform from inside the VPC (a bastion, VPN or CI runner there).
provider "kubernetes" {
  host                   = module.quiver.cluster_endpoint
  cluster_ca_certificate = base64decode(module.quiver.cluster_ca_certificate)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", module.quiver.cluster_name, "--region", var.region]
  }
}

provider "helm" {
  kubernetes {
    host                   = module.quiver.cluster_endpoint
    cluster_ca_certificate = base64decode(module.quiver.cluster_ca_certificate)

    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.quiver.cluster_name, "--region", var.region]
    }
  }
}

module "quiver" {
  source = "../../modules/aws"

  name   = "quiver"
  region = var.region

  # A trial: one GPU node at most, no standby database or cache replica, everything deletable.
  gpu_instance_types  = ["g6.xlarge"]
  gpu_max_nodes       = 1
  worker_replicas     = { min = 0, max = 1 }
  db_instance_class   = "db.t4g.medium"
  db_multi_az         = false
  redis_node_type     = "cache.t4g.small"
  redis_replicas      = 0
  deletion_protection = false
}
