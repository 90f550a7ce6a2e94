output "namespace" {
  description = "Namespace Quiver runs in."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}

output "release_name" {
  description = "Helm release name of Quiver."
  value       = helm_release.this.name
}

output "gateway_service_name" {
  description = "Name of the gateway's Kubernetes Service (its load balancer)."
  value       = data.kubernetes_service_v1.gateway.metadata[0].name
}

output "gateway_address" {
  description = "Address of the gateway's load balancer (an IP or a DNS name; private unless public was opted in)."
  value = try(
    coalesce(
      data.kubernetes_service_v1.gateway.status[0].load_balancer[0].ingress[0].hostname,
      data.kubernetes_service_v1.gateway.status[0].load_balancer[0].ingress[0].ip,
    ),
    null,
  )
}

output "chart_version" {
  description = "Version of the Quiver chart installed."
  value       = helm_release.this.version
}
