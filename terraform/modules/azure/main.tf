data "azurerm_client_config" "current" {}

locals {
  vnet_id   = var.create_network ? azurerm_virtual_network.this[0].id : var.existing_vnet_id
  vnet_cidr = var.create_network ? var.vnet_cidr : var.existing_vnet_cidr
  subnet_ids = var.create_network ? {
    nodes             = azurerm_subnet.this["nodes"].id
    postgres          = azurerm_subnet.this["postgres"].id
    private_endpoints = azurerm_subnet.this["private-endpoints"].id
    private_link      = azurerm_subnet.this["private-link"].id
  } : var.existing_subnet_ids

  cluster_name     = var.create_cluster ? module.aks[0].aks_name : var.existing_cluster_name
  cluster_endpoint = var.create_cluster ? module.aks[0].host : data.azurerm_kubernetes_cluster.existing[0].kube_config[0].host
  cluster_ca       = var.create_cluster ? module.aks[0].cluster_ca_certificate : data.azurerm_kubernetes_cluster.existing[0].kube_config[0].cluster_ca_certificate
  oidc_issuer_url  = var.create_cluster ? module.aks[0].oidc_issuer_url : data.azurerm_kubernetes_cluster.existing[0].oidc_issuer_url
  cluster_group    = var.create_cluster ? azurerm_resource_group.this.name : var.existing_cluster_resource_group
  # The Private Link service the cloud controller creates for the gateway lives in the node resource group.
  node_resource_group = var.create_cluster ? module.aks[0].node_resource_group : data.azurerm_kubernetes_cluster.existing[0].node_resource_group

  namespace       = "quiver"
  image_registry  = coalesce(var.image_registry, try("${azurerm_container_registry.this[0].login_server}/quiver", null))
  client_cidrs    = length(var.allowed_client_cidrs) > 0 ? var.allowed_client_cidrs : [local.vnet_cidr]
  storage_name    = substr("${var.name}art${replace(data.azurerm_client_config.current.subscription_id, "-", "")}", 0, 24)
  model_uri       = "${azurerm_storage_account.this.primary_blob_endpoint}${azurerm_storage_container.artifacts.name}/models/${var.model_id}"
  redis_url       = "rediss://:${azurerm_redis_cache.this.primary_access_key}@${azurerm_redis_cache.this.hostname}:${azurerm_redis_cache.this.ssl_port}"
  audit_key_pkcs8 = replace(replace(replace(tls_private_key.audit.private_key_pem, "-----BEGIN PRIVATE KEY-----", ""), "-----END PRIVATE KEY-----", ""), "\n", "")

  tags = merge(var.tags, { "quiver-deployment" = var.name })

  subnets = {
    nodes             = { cidr = cidrsubnet(var.vnet_cidr, 4, 0), delegation = null }
    postgres          = { cidr = cidrsubnet(var.vnet_cidr, 8, 16), delegation = "Microsoft.DBforPostgreSQL/flexibleServers" }
    private-endpoints = { cidr = cidrsubnet(var.vnet_cidr, 8, 17), delegation = null }
    private-link      = { cidr = cidrsubnet(var.vnet_cidr, 8, 18), delegation = null }
  }

  private_dns_zones = {
    postgres = "privatelink.postgres.database.azure.com"
    blob     = "privatelink.blob.core.windows.net"
    vault    = "privatelink.vaultcore.azure.net"
    redis    = "privatelink.redis.cache.windows.net"
  }
}

resource "azurerm_resource_group" "this" {
  name     = "${var.name}-rg"
  location = var.location
  tags     = local.tags
}

resource "azurerm_management_lock" "this" {
  count = var.deletion_protection ? 1 : 0

  name       = "${var.name}-no-delete"
  scope      = azurerm_resource_group.this.id
  lock_level = "CanNotDelete"
  notes      = "Quiver holds tenants' keys, adapters and audit trail here."
}

################################################################################
# Network: nodes, PostgreSQL (delegated), private endpoints, Private Link NAT
################################################################################

resource "azurerm_virtual_network" "this" {
  count = var.create_network ? 1 : 0

  name                = "${var.name}-vnet"
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  address_space       = [var.vnet_cidr]
  tags                = local.tags
}

resource "azurerm_subnet" "this" {
  for_each = var.create_network ? local.subnets : {}

  name                 = each.key
  resource_group_name  = azurerm_resource_group.this.name
  virtual_network_name = azurerm_virtual_network.this[0].name
  address_prefixes     = [each.value.cidr]

  private_link_service_network_policies_enabled = each.key != "private-link"

  dynamic "delegation" {
    for_each = each.value.delegation == null ? [] : [each.value.delegation]
    content {
      name = "delegation"
      service_delegation {
        name    = delegation.value
        actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
      }
    }
  }
}

resource "azurerm_private_dns_zone" "this" {
  for_each = local.private_dns_zones

  name                = each.value
  resource_group_name = azurerm_resource_group.this.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "this" {
  for_each = local.private_dns_zones

  name                  = "${var.name}-${each.key}"
  resource_group_name   = azurerm_resource_group.this.name
  private_dns_zone_name = azurerm_private_dns_zone.this[each.key].name
  virtual_network_id    = local.vnet_id
  tags                  = local.tags
}

################################################################################
# Private AKS: private API server, Entra ID RBAC, workload identity, GPU pool from zero
################################################################################

module "aks" {
  source  = "Azure/aks/azurerm"
  version = "9.4.1"
  count   = var.create_cluster ? 1 : 0

  prefix              = var.name
  cluster_name        = var.name
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  kubernetes_version  = var.kubernetes_version
  sku_tier            = "Standard"

  vnet_subnet_id      = local.subnet_ids.nodes
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  network_policy      = "cilium"
  ebpf_data_plane     = "cilium"

  private_cluster_enabled           = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  local_account_disabled            = true
  role_based_access_control_enabled = true
  rbac_aad                          = true
  rbac_aad_managed                  = true
  rbac_aad_azure_rbac_enabled       = true
  rbac_aad_admin_group_object_ids   = var.admin_group_object_ids

  log_analytics_workspace_enabled = false
  rbac_aad_tenant_id              = data.azurerm_client_config.current.tenant_id

  agents_pool_name    = "system"
  agents_size         = var.system_vm_size
  enable_auto_scaling = true
  agents_min_count    = var.system_node_count.min
  agents_max_count    = var.system_node_count.max
  agents_count        = null
  agents_labels       = { "quiver.io/pool" = "system" }

  node_pools = {
    gpu = {
      name                = "gpu"
      vm_size             = var.gpu_vm_size
      enable_auto_scaling = true
      min_count           = 0
      max_count           = var.gpu_max_nodes
      node_count          = 0
      vnet_subnet_id      = local.subnet_ids.nodes
      priority            = var.gpu_spot ? "Spot" : "Regular"
      eviction_policy     = var.gpu_spot ? "Delete" : null
      os_disk_size_gb     = 200
      node_labels         = { "quiver.io/pool" = "gpu" }
      node_taints         = ["nvidia.com/gpu=present:NoSchedule"]
    }
  }

  tags = local.tags
}

data "azurerm_kubernetes_cluster" "existing" {
  count = var.create_cluster ? 0 : 1

  name                = var.existing_cluster_name
  resource_group_name = var.existing_cluster_resource_group
}

################################################################################
# Key Vault (keys and secrets), private endpoint only but for the operators' CIDRs
################################################################################

resource "azurerm_key_vault" "this" {
  name                          = "${var.name}-kv-${substr(replace(data.azurerm_client_config.current.subscription_id, "-", ""), 0, 8)}"
  resource_group_name           = azurerm_resource_group.this.name
  location                      = var.location
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "premium"
  enable_rbac_authorization     = true
  purge_protection_enabled      = var.deletion_protection
  soft_delete_retention_days    = 30
  public_network_access_enabled = length(var.operator_cidrs) > 0

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
    ip_rules       = var.operator_cidrs
  }

  tags = local.tags
}

resource "azurerm_role_assignment" "operator_vault" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Administrator"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_key_vault_key" "this" {
  name         = "${var.name}-data"
  key_vault_id = azurerm_key_vault.this.id
  key_type     = "RSA-HSM"
  key_size     = 3072
  key_opts     = ["wrapKey", "unwrapKey"]

  rotation_policy {
    automatic {
      time_before_expiry = "P30D"
    }
    expire_after         = "P1Y"
    notify_before_expiry = "P29D"
  }

  depends_on = [azurerm_role_assignment.operator_vault]
}

# The identity Storage and PostgreSQL use to reach the key.
resource "azurerm_user_assigned_identity" "encryption" {
  name                = "${var.name}-encryption"
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  tags                = local.tags
}

resource "azurerm_role_assignment" "encryption" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Crypto Service Encryption User"
  principal_id         = azurerm_user_assigned_identity.encryption.principal_id
}

resource "azurerm_private_endpoint" "this" {
  for_each = {
    vault = { id = azurerm_key_vault.this.id, subresource = "vault" }
    blob  = { id = azurerm_storage_account.this.id, subresource = "blob" }
    redis = { id = azurerm_redis_cache.this.id, subresource = "redisCache" }
  }

  name                = "${var.name}-${each.key}"
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  subnet_id           = local.subnet_ids.private_endpoints
  tags                = local.tags

  private_service_connection {
    name                           = "${var.name}-${each.key}"
    private_connection_resource_id = each.value.id
    subresource_names              = [each.value.subresource]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = each.key
    private_dns_zone_ids = [azurerm_private_dns_zone.this[each.key].id]
  }
}

################################################################################
# Storage for models and adapters: CMK, versioning, no shared keys, no public access
################################################################################

resource "azurerm_storage_account" "this" {
  name                              = local.storage_name
  resource_group_name               = azurerm_resource_group.this.name
  location                          = var.location
  account_tier                      = "Standard"
  account_replication_type          = "ZRS"
  min_tls_version                   = "TLS1_2"
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false
  infrastructure_encryption_enabled = true
  public_network_access_enabled     = length(var.operator_cidrs) > 0
  default_to_oauth_authentication   = true

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.encryption.id]
  }

  customer_managed_key {
    key_vault_key_id          = azurerm_key_vault_key.this.versionless_id
    user_assigned_identity_id = azurerm_user_assigned_identity.encryption.id
  }

  blob_properties {
    versioning_enabled = true
    delete_retention_policy {
      days = 30
    }
  }

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]
    ip_rules       = var.operator_cidrs
  }

  tags = local.tags

  depends_on = [azurerm_role_assignment.encryption]
}

resource "azurerm_role_assignment" "operator_storage" {
  scope                = azurerm_storage_account.this.id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_storage_container" "artifacts" {
  name                  = "artifacts"
  storage_account_name  = azurerm_storage_account.this.name
  container_access_type = "private"

  depends_on = [azurerm_role_assignment.operator_storage]
}

resource "azurerm_container_registry" "this" {
  count = var.image_registry == null ? 1 : 0

  name                = substr("${var.name}acr${replace(data.azurerm_client_config.current.subscription_id, "-", "")}", 0, 50)
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  sku                 = "Premium"
  admin_enabled       = false
  tags                = local.tags
}

resource "azurerm_role_assignment" "kubelet_acr" {
  count = var.image_registry == null && var.create_cluster ? 1 : 0

  scope                = azurerm_container_registry.this[0].id
  role_definition_name = "AcrPull"
  principal_id         = module.aks[0].kubelet_identity[0].object_id
}

################################################################################
# PostgreSQL Flexible Server (VNet-injected) and Azure Cache for Redis (private endpoint)
################################################################################

resource "random_password" "db" {
  length  = 32
  special = false
}

resource "azurerm_postgresql_flexible_server" "this" {
  name                          = "${var.name}-pg-${substr(replace(data.azurerm_client_config.current.subscription_id, "-", ""), 0, 8)}"
  resource_group_name           = azurerm_resource_group.this.name
  location                      = var.location
  version                       = "16"
  sku_name                      = var.postgres_sku
  storage_mb                    = var.postgres_storage_mb
  delegated_subnet_id           = local.subnet_ids.postgres
  private_dns_zone_id           = azurerm_private_dns_zone.this["postgres"].id
  public_network_access_enabled = false
  administrator_login           = "quiver"
  administrator_password        = random_password.db.result
  backup_retention_days         = 14
  zone                          = "1"

  dynamic "high_availability" {
    for_each = var.postgres_high_availability ? [1] : []
    content {
      mode                      = "ZoneRedundant"
      standby_availability_zone = "2"
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.encryption.id]
  }

  customer_managed_key {
    key_vault_key_id                  = azurerm_key_vault_key.this.id
    primary_user_assigned_identity_id = azurerm_user_assigned_identity.encryption.id
  }

  tags = local.tags

  depends_on = [azurerm_private_dns_zone_virtual_network_link.this, azurerm_role_assignment.encryption]
}

resource "azurerm_postgresql_flexible_server_database" "quiver" {
  name      = "quiver"
  server_id = azurerm_postgresql_flexible_server.this.id
}

resource "azurerm_redis_cache" "this" {
  name                          = "${var.name}-redis-${substr(replace(data.azurerm_client_config.current.subscription_id, "-", ""), 0, 8)}"
  resource_group_name           = azurerm_resource_group.this.name
  location                      = var.location
  sku_name                      = var.redis_sku.name
  family                        = var.redis_sku.family
  capacity                      = var.redis_sku.capacity
  enable_non_ssl_port           = false
  minimum_tls_version           = "1.2"
  public_network_access_enabled = false
  redis_version                 = "6"
  tags                          = local.tags
}

################################################################################
# Secrets (Key Vault) the gateway reads through External Secrets
################################################################################

resource "tls_private_key" "audit" {
  algorithm = "ED25519"
}

resource "random_password" "bootstrap_admin" {
  length  = 32
  special = false
}

resource "azurerm_key_vault_secret" "this" {
  for_each = {
    "database-username"        = "quiver"
    "database-password"        = random_password.db.result
    "redis-url"                = local.redis_url
    "audit-signing-key"        = local.audit_key_pkcs8
    "bootstrap-admin-password" = random_password.bootstrap_admin.result
  }

  name         = "${var.name}-${each.key}"
  value        = each.value
  key_vault_id = azurerm_key_vault.this.id
  content_type = "text/plain"

  depends_on = [azurerm_role_assignment.operator_vault]
}

################################################################################
# Identities (workload identity): the gateway reads its secrets, the workers read the container
################################################################################

resource "azurerm_user_assigned_identity" "workload" {
  for_each = toset(["gateway", "worker"])

  name                = "${var.name}-${each.key}"
  resource_group_name = azurerm_resource_group.this.name
  location            = var.location
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "workload" {
  for_each = azurerm_user_assigned_identity.workload

  name                = "${var.name}-${each.key}"
  resource_group_name = azurerm_resource_group.this.name
  parent_id           = each.value.id
  issuer              = local.oidc_issuer_url
  subject             = "system:serviceaccount:${local.namespace}:quiver-${each.key}"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_role_assignment" "gateway_secrets" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.workload["gateway"].principal_id
}

resource "azurerm_role_assignment" "worker_blobs" {
  scope                = "${azurerm_storage_account.this.id}/blobServices/default/containers/${azurerm_storage_container.artifacts.name}"
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.workload["worker"].principal_id
}

# The gateway publishes uploaded adapters under adapters/ and may write blobs nowhere else.
resource "azurerm_role_assignment" "gateway_adapters" {
  scope                = "${azurerm_storage_account.this.id}/blobServices/default/containers/${azurerm_storage_container.artifacts.name}"
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.workload["gateway"].principal_id
  condition_version    = "2.0"
  condition            = <<-EOT
    (
      !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'})
      AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'})
      AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})
    )
    OR
    (
      @Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith 'adapters/'
    )
  EOT
}

################################################################################
# Quiver itself
################################################################################

module "app" {
  source = "../quiver-app"

  cloud          = "azure"
  namespace      = local.namespace
  image_registry = local.image_registry
  image_tag      = var.image_tag
  database_url   = "jdbc:postgresql://${azurerm_postgresql_flexible_server.this.fqdn}:5432/quiver?sslmode=require"
  model_id       = var.model_id
  model_uri      = local.model_uri

  adapter_store_uri = "az://${azurerm_storage_account.this.name}/${azurerm_storage_container.artifacts.name}/adapters"

  gateway_service_account_annotations = { "azure.workload.identity/client-id" = azurerm_user_assigned_identity.workload["gateway"].client_id }
  worker_service_account_annotations  = { "azure.workload.identity/client-id" = azurerm_user_assigned_identity.workload["worker"].client_id }

  worker_replicas         = var.worker_replicas
  public                  = var.expose_publicly
  allowed_client_cidrs    = local.client_cidrs
  identity_provider_cidrs = var.identity_provider_cidrs
  data_cidrs              = [local.vnet_cidr]

  private_endpoint = {
    enabled           = var.enable_private_link
    nat_subnets       = ["private-link"]
    allowed_consumers = var.private_link_allowed_subscriptions
  }

  secrets = {
    provider = "externalSecrets"
    store    = { azurekv = { vaultUrl = azurerm_key_vault.this.vault_uri, tenantId = data.azurerm_client_config.current.tenant_id } }
    remote_refs = {
      SPRING_DATASOURCE_USERNAME      = { key = azurerm_key_vault_secret.this["database-username"].name }
      SPRING_DATASOURCE_PASSWORD      = { key = azurerm_key_vault_secret.this["database-password"].name }
      SPRING_DATA_REDIS_URL           = { key = azurerm_key_vault_secret.this["redis-url"].name }
      QUIVER_AUDIT_SIGNING_KEY        = { key = azurerm_key_vault_secret.this["audit-signing-key"].name }
      QUIVER_BOOTSTRAP_ADMIN_PASSWORD = { key = azurerm_key_vault_secret.this["bootstrap-admin-password"].name }
    }
  }

  depends_on = [module.aks, azurerm_federated_identity_credential.workload, azurerm_role_assignment.gateway_secrets]
}
