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
  operator_cidrs = var.operator_cidrs

  # A trial: one T4 node at most, no standby database, everything deletable.
  gpu_vm_size                = "Standard_NC4as_T4_v3"
  gpu_max_nodes              = 1
  worker_replicas            = { min = 0, max = 1 }
  postgres_sku               = "B_Standard_B2s"
  postgres_high_availability = false
  redis_sku                  = { name = "Basic", family = "C", capacity = 0 }
  deletion_protection        = false
}
