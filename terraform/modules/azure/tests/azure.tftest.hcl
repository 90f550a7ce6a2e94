# terraform test (run from terraform/modules/azure after terraform init): plans against mock providers, so no
# subscription or credentials are touched. Covers the "existing network and cluster" mode.

mock_provider "azurerm" {
  mock_data "azurerm_client_config" {
    defaults = {
      subscription_id = "00000000-0000-0000-0000-000000000000"
      tenant_id       = "11111111-1111-1111-1111-111111111111"
      object_id       = "22222222-2222-2222-2222-222222222222"
    }
  }
  mock_data "azurerm_kubernetes_cluster" {
    defaults = {
      kube_config         = [{ host = "https://platform.privatelink.westeurope.azmk8s.io:443", cluster_ca_certificate = "Y2E=" }]
      oidc_issuer_url     = "https://westeurope.oic.prod-aks.azure.com/tenant/issuer/"
      node_resource_group = "MC_platform"
    }
  }
}
mock_provider "helm" {}
mock_provider "kubernetes" {}
mock_provider "random" {}
mock_provider "tls" {}

variables {
  location           = "westeurope"
  create_network     = false
  existing_vnet_id   = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub"
  existing_vnet_cidr = "10.20.0.0/16"
  existing_subnet_ids = {
    nodes             = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/subnets/nodes"
    postgres          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/subnets/postgres"
    private_endpoints = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints"
  }
  create_cluster                  = false
  existing_cluster_name           = "platform"
  existing_cluster_resource_group = "platform-rg"
  deletion_protection             = false
}

run "existing_network_and_cluster_create_neither" {
  command = plan

  assert {
    condition     = length(azurerm_virtual_network.this) == 0 && length(module.aks) == 0
    error_message = "create_network = false and create_cluster = false must create no VNet and no cluster."
  }

  assert {
    condition     = output.cluster_name == "platform"
    error_message = "Outputs describe the existing cluster."
  }
}

run "data_stores_are_private" {
  command = plan

  assert {
    condition     = azurerm_postgresql_flexible_server.this.public_network_access_enabled == false
    error_message = "PostgreSQL has no public endpoint."
  }

  assert {
    condition     = azurerm_storage_account.this.shared_access_key_enabled == false
    error_message = "Storage is reached with Entra ID identities only, never shared keys."
  }

  assert {
    condition     = azurerm_redis_cache.this.enable_non_ssl_port == false
    error_message = "Redis accepts TLS only."
  }
}
