provider "azurerm" {
  features {
    key_vault {
      purge_soft_delete_on_destroy = false
    }
  }
}

# The API server is private and local accounts are off: run Terraform from inside the VNet, signed in with az.
provider "kubernetes" {
  host                   = module.quiver.cluster_endpoint
  cluster_ca_certificate = base64decode(module.quiver.cluster_ca_certificate)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "kubelogin"
    args        = ["get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]
  }
}

provider "helm" {
  kubernetes {
    host                   = module.quiver.cluster_endpoint
    cluster_ca_certificate = base64decode(module.quiver.cluster_ca_certificate)

    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "kubelogin"
      args        = ["get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]
    }
  }
}

module "quiver" {
  source = "../../modules/azure"

  name           = "quiver"
  location       = var.location
  tags           = { "cost-center" = var.cost_center }
  operator_cidrs = var.operator_cidrs

  admin_group_object_ids = var.admin_group_object_ids
  gpu_vm_size            = "Standard_NV36ads_A10_v5"
  gpu_max_nodes          = 8
  worker_replicas        = { min = 0, max = 8 }

  postgres_sku               = "GP_Standard_D4ds_v5"
  postgres_high_availability = true
  redis_sku                  = { name = "Premium", family = "P", capacity = 1 }

  allowed_client_cidrs               = var.client_cidrs
  enable_private_link                = true
  private_link_allowed_subscriptions = var.private_link_allowed_subscriptions
  deletion_protection                = true
}
