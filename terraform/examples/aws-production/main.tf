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
  tags   = { "cost-center" = var.cost_center }

  cluster_admin_arns = var.cluster_admin_arns
  gpu_instance_types = ["g6.2xlarge", "g6.4xlarge"]
  gpu_max_nodes      = 8
  worker_replicas    = { min = 0, max = 8 }

  db_instance_class = "db.r7g.xlarge"
  db_multi_az       = true
  redis_replicas    = 2

  allowed_client_cidrs            = var.client_cidrs
  enable_private_link             = true
  private_link_allowed_principals = var.private_link_allowed_principals
  deletion_protection             = true
}
