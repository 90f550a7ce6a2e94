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
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${local.cluster_name}"
}

output "network_id" {
  description = "Id of the VPC / VPC network / VNet Quiver runs in."
  value       = local.vpc_id
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
  value       = var.enable_private_link ? aws_vpc_endpoint_service.gateway[0].service_name : null
}

output "database_endpoint" {
  description = "PostgreSQL host:port."
  value       = module.db.db_instance_endpoint
}

output "redis_endpoint" {
  description = "Redis host:port (TLS)."
  value       = "${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
}

output "bucket_name" {
  description = "Bucket holding base models and LoRA adapters."
  value       = aws_s3_bucket.artifacts.bucket
}

output "model_uri" {
  description = "Where to upload the base model's files (the workers copy them from here at start)."
  value       = local.model_uri
}

output "adapters_uri" {
  description = "Prefix the gateway publishes uploaded adapters under and the workers read them from (tenants upload through the admin API or console; URIs in this bucket are refused as registrations)."
  value       = "s3://${aws_s3_bucket.artifacts.bucket}/adapters/"
}

output "encryption_key_id" {
  description = "Customer-managed key encrypting the bucket, database, cache and secrets."
  value       = aws_kms_key.this.arn
}

output "gateway_identity" {
  description = "Cloud identity of the gateway pods (reads its secrets)."
  value       = aws_iam_role.gateway.arn
}

output "worker_identity" {
  description = "Cloud identity of the worker pods (reads the bucket)."
  value       = aws_iam_role.worker.arn
}

output "image_registry" {
  description = "Registry prefix to push quiver-gateway, quiver-worker and quiver-worker-cuda to."
  value       = local.image_registry
}

output "bootstrap_admin_password_secret" {
  description = "Secret manager entry holding the console's bootstrap admin password."
  value       = aws_secretsmanager_secret.this["bootstrap-admin-password"].name
}
