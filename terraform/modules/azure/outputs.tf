# The same output names on aws, gcp and azure (docs/deploy/README.md lists them); the static checks enforce it.

output "cluster_name" {
  description = "Name of the Kubernetes cluster."
  value       = local.cluster_name
}

output "cluster_endpoint" {
  description = "Private endpoint of the Kubernetes API."
  value       = local.cluster_endpoint
}

output "cluster_ca_certificate" {
  description = "Base64 CA certificate of the Kubernetes API."
  value       = local.cluster_ca
}

output "kubeconfig_command" {
  description = "Command that writes a kubeconfig entry for the cluster (run from inside the network)."
  value       = "az aks get-credentials --resource-group ${local.cluster_group} --name ${local.cluster_name} && kubelogin convert-kubeconfig -l azurecli"
}

output "network_id" {
  description = "Id of the VPC / VPC network / VNet Quiver runs in."
  value       = local.vnet_id
}

output "namespace" {
  description = "Kubernetes namespace of Quiver."
  value       = module.app.namespace
}

output "gateway_url" {
  description = "Base URL of the OpenAI-compatible API on the gateway's load balancer (internal unless expose_publicly)."
  value       = module.app.gateway_address == null ? null : "http://${module.app.gateway_address}/v1"
}

output "private_endpoint_service" {
  description = "Service consumers in other networks connect to (PrivateLink service name / PSC service attachment / Private Link service id); null when not enabled."
  value       = var.enable_private_link ? "/subscriptions/${data.azurerm_client_config.current.subscription_id}/resourceGroups/${local.node_resource_group}/providers/Microsoft.Network/privateLinkServices/${module.app.gateway_service_name}" : null
}

output "database_endpoint" {
  description = "PostgreSQL host:port."
  value       = "${azurerm_postgresql_flexible_server.this.fqdn}:5432"
}

output "redis_endpoint" {
  description = "Redis host:port (TLS)."
  value       = "${azurerm_redis_cache.this.hostname}:${azurerm_redis_cache.this.ssl_port}"
}

output "bucket_name" {
  description = "Bucket holding base models and LoRA adapters."
  value       = "${azurerm_storage_account.this.name}/${azurerm_storage_container.artifacts.name}"
}

output "model_uri" {
  description = "Where to upload the base model's files (the workers copy them from here at start)."
  value       = local.model_uri
}

output "adapters_uri" {
  description = "Container prefix the gateway publishes uploaded adapters under (as az://account/container/adapters) and the workers read them from; URIs in this account are refused as registrations."
  value       = "${azurerm_storage_account.this.primary_blob_endpoint}${azurerm_storage_container.artifacts.name}/adapters/"
}

output "encryption_key_id" {
  description = "Customer-managed key encrypting the bucket, database, cache and secrets."
  value       = azurerm_key_vault_key.this.versionless_id
}

output "gateway_identity" {
  description = "Cloud identity of the gateway pods (reads its secrets)."
  value       = azurerm_user_assigned_identity.workload["gateway"].client_id
}

output "worker_identity" {
  description = "Cloud identity of the worker pods (reads the bucket)."
  value       = azurerm_user_assigned_identity.workload["worker"].client_id
}

output "image_registry" {
  description = "Registry prefix to push quiver-gateway, quiver-worker and quiver-worker-cuda to."
  value       = local.image_registry
}

output "bootstrap_admin_password_secret" {
  description = "Secret manager entry holding the console's bootstrap admin password."
  value       = azurerm_key_vault_secret.this["bootstrap-admin-password"].name
}
