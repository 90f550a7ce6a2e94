# The module's outputs, unchanged: the same names on every cloud.

output "cluster_name" {
  description = "Name of the Kubernetes cluster."
  value       = module.quiver.cluster_name
}

output "cluster_endpoint" {
  description = "Private endpoint of the Kubernetes API."
  value       = module.quiver.cluster_endpoint
}

output "cluster_ca_certificate" {
  description = "Base64 CA certificate of the Kubernetes API."
  value       = module.quiver.cluster_ca_certificate
}

output "kubeconfig_command" {
  description = "Command that writes a kubeconfig entry for the cluster (run from inside the network)."
  value       = module.quiver.kubeconfig_command
}

output "network_id" {
  description = "Id of the VPC / VPC network / VNet Quiver runs in."
  value       = module.quiver.network_id
}

output "namespace" {
  description = "Kubernetes namespace of Quiver."
  value       = module.quiver.namespace
}

output "gateway_url" {
  description = "Base URL of the OpenAI-compatible API on the gateway's load balancer (internal unless expose_publicly)."
  value       = module.quiver.gateway_url
}

output "private_endpoint_service" {
  description = "Service consumers in other networks connect to (PrivateLink service name / PSC service attachment / Private Link service id); null when not enabled."
  value       = module.quiver.private_endpoint_service
}

output "database_endpoint" {
  description = "PostgreSQL host:port."
  value       = module.quiver.database_endpoint
}

output "redis_endpoint" {
  description = "Redis host:port (TLS)."
  value       = module.quiver.redis_endpoint
}

output "bucket_name" {
  description = "Bucket holding base models and LoRA adapters."
  value       = module.quiver.bucket_name
}

output "model_uri" {
  description = "Where to upload the base model's files (the workers copy them from here at start)."
  value       = module.quiver.model_uri
}

output "adapters_uri" {
  description = "Container prefix the gateway publishes uploaded adapters under (as az://account/container/adapters) and the workers read them from; URIs in this account are refused as registrations."
  value       = module.quiver.adapters_uri
}

output "encryption_key_id" {
  description = "Customer-managed key encrypting the bucket, database, cache and secrets."
  value       = module.quiver.encryption_key_id
}

output "gateway_identity" {
  description = "Cloud identity of the gateway pods (reads its secrets)."
  value       = module.quiver.gateway_identity
}

output "worker_identity" {
  description = "Cloud identity of the worker pods (reads the bucket)."
  value       = module.quiver.worker_identity
}

output "image_registry" {
  description = "Registry prefix to push quiver-gateway, quiver-worker and quiver-worker-cuda to."
  value       = module.quiver.image_registry
}

output "bootstrap_admin_password_secret" {
  description = "Secret manager entry holding the console's bootstrap admin password."
  value       = module.quiver.bootstrap_admin_password_secret
}
