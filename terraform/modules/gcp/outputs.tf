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
  value       = "gcloud container clusters get-credentials ${local.cluster_name} --region ${var.region} --project ${var.project_id} --internal-ip"
}

output "network_id" {
  description = "Id of the VPC / VPC network / VNet Quiver runs in."
  value       = local.network_id
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
  value       = var.enable_private_service_connect ? "serviceattachment/${module.app.namespace}/${module.app.gateway_service_name}" : null
}

output "database_endpoint" {
  description = "PostgreSQL host:port."
  value       = "${google_sql_database_instance.this.private_ip_address}:5432"
}

output "redis_endpoint" {
  description = "Redis host:port (TLS)."
  value       = "${google_redis_instance.this.host}:${google_redis_instance.this.port}"
}

output "bucket_name" {
  description = "Bucket holding base models and LoRA adapters."
  value       = google_storage_bucket.artifacts.name
}

output "model_uri" {
  description = "Where to upload the base model's files (the workers copy them from here at start)."
  value       = local.model_uri
}

output "adapters_uri" {
  description = "Prefix the gateway publishes uploaded adapters under and the workers read them from (tenants upload through the admin API or console; URIs in this bucket are refused as registrations)."
  value       = "gs://${google_storage_bucket.artifacts.name}/adapters/"
}

output "encryption_key_id" {
  description = "Customer-managed key encrypting the bucket, database, cache and secrets."
  value       = google_kms_crypto_key.this.id
}

output "gateway_identity" {
  description = "Cloud identity of the gateway pods (reads its secrets)."
  value       = google_service_account.gateway.email
}

output "worker_identity" {
  description = "Cloud identity of the worker pods (reads the bucket)."
  value       = google_service_account.worker.email
}

output "image_registry" {
  description = "Registry prefix to push quiver-gateway, quiver-worker and quiver-worker-cuda to."
  value       = local.image_registry
}

output "bootstrap_admin_password_secret" {
  description = "Secret manager entry holding the console's bootstrap admin password."
  value       = google_secret_manager_secret.this["bootstrap-admin-password"].secret_id
}
