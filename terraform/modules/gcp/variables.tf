variable "name" {
  type        = string
  description = "Name prefix of every resource (and the GKE cluster's name when one is created)."
  default     = "quiver"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "project_id" {
  type        = string
  description = "Google Cloud project to deploy into."
}

variable "region" {
  type        = string
  description = "Region, e.g. europe-west4 (pick one with L4 GPUs)."
}

variable "labels" {
  type        = map(string)
  description = "Labels on every resource that takes them."
  default     = {}
}

# Network

variable "create_network" {
  type        = bool
  description = "Create a VPC network (terraform-google-modules/network). False: use network_name and subnetwork_name."
  default     = true
}

variable "subnet_cidr" {
  type        = string
  description = "Primary range of the nodes' subnet this module creates."
  default     = "10.50.0.0/20"
}

variable "pods_cidr" {
  type        = string
  description = "Secondary range for pods."
  default     = "10.52.0.0/14"
}

variable "services_cidr" {
  type        = string
  description = "Secondary range for services."
  default     = "10.56.0.0/20"
}

variable "master_cidr" {
  type        = string
  description = "/28 for the private GKE control plane."
  default     = "172.16.0.32/28"
}

variable "network_name" {
  type        = string
  description = "Existing VPC network, when create_network is false."
  default     = null
}

variable "subnetwork_name" {
  type        = string
  description = "Existing subnetwork in region, when create_network is false."
  default     = null
}

variable "pods_range_name" {
  type        = string
  description = "Secondary range name for pods in the existing subnetwork."
  default     = "pods"
}

variable "services_range_name" {
  type        = string
  description = "Secondary range name for services in the existing subnetwork."
  default     = "services"
}

variable "existing_network_cidr" {
  type        = string
  description = "CIDR of the existing subnetwork, when create_network is false."
  default     = null
}

variable "enable_cloud_nat" {
  type        = bool
  description = "Give the nodes outbound-only internet (Cloud NAT) to pull third-party images. False: mirror them into Artifact Registry first."
  default     = true
}

# Cluster

variable "create_cluster" {
  type        = bool
  description = "Create a private GKE cluster (terraform-google-modules/kubernetes-engine). False: install into existing_cluster_name."
  default     = true
}

variable "existing_cluster_name" {
  type        = string
  description = "GKE cluster to install into, when create_cluster is false (Workload Identity must be on)."
  default     = null
}

variable "master_authorized_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the private control plane (bastion, VPN, CI runners)."
  default     = []
}

variable "release_channel" {
  type        = string
  description = "GKE release channel."
  default     = "REGULAR"
}

variable "system_machine_type" {
  type        = string
  description = "Machine type of the system pool (gateway, KEDA, Prometheus)."
  default     = "e2-standard-4"
}

variable "system_node_count" {
  type = object({
    min = number
    max = number
  })
  description = "Least and most system nodes per zone."
  default     = { min = 1, max = 3 }
}

variable "gpu_machine_type" {
  type        = string
  description = "Machine type of the GPU pool (g2 = NVIDIA L4)."
  default     = "g2-standard-8"
}

variable "gpu_type" {
  type        = string
  description = "Accelerator type of the GPU pool."
  default     = "nvidia-l4"
}

variable "gpu_max_nodes" {
  type        = number
  description = "Most GPU nodes per zone; the pool's least is zero."
  default     = 2
}

variable "gpu_spot" {
  type        = bool
  description = "Use Spot VMs for the GPU pool."
  default     = false
}

# Data stores

variable "db_tier" {
  type        = string
  description = "Cloud SQL machine tier."
  default     = "db-custom-2-7680"
}

variable "db_high_availability" {
  type        = bool
  description = "Cloud SQL REGIONAL availability (a standby in another zone)."
  default     = true
}

variable "redis_memory_size_gb" {
  type        = number
  description = "Memorystore for Redis size in GiB."
  default     = 5
}

variable "redis_high_availability" {
  type        = bool
  description = "Memorystore STANDARD_HA tier (a replica) instead of BASIC."
  default     = true
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the cluster and database from deletion; keep the bucket when not empty."
  default     = true
}

# Application

variable "image_registry" {
  type        = string
  description = "Registry prefix of the Quiver images; null uses the Artifact Registry repository this module creates."
  default     = null
}

variable "image_tag" {
  type        = string
  description = "Quiver image tag; null uses the chart's appVersion."
  default     = null
}

variable "model_id" {
  type        = string
  description = "Base model id (Hugging Face layout) the workers serve; its files go under models/<model_id>/ in the bucket."
  default     = "Qwen/Qwen2.5-1.5B-Instruct"
}

variable "worker_replicas" {
  type = object({
    min = number
    max = number
  })
  description = "Least and most workers; min 0 lets the GPU pool scale to zero."
  default     = { min = 0, max = 4 }
}

variable "identity_provider_cidrs" {
  type        = list(string)
  description = "CIDRs of the tenants' OAuth2/OIDC identity providers (the gateway fetches their signing keys over HTTPS). Empty: API keys only."
  default     = []
}

variable "expose_publicly" {
  type        = bool
  description = "Put the gateway behind an external load balancer. Off: internal passthrough load balancer only."
  default     = false
}

variable "allowed_client_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to call the gateway; empty allows the nodes' subnet."
  default     = []
}

variable "enable_private_service_connect" {
  type        = bool
  description = "Publish the gateway's internal load balancer through Private Service Connect, for consumers in other networks or projects."
  default     = false
}

variable "psc_consumer_projects" {
  type        = list(string)
  description = "Projects allowed to connect through Private Service Connect (empty: every connection needs approval)."
  default     = []
}

variable "psc_nat_cidr" {
  type        = string
  description = "Range of the PRIVATE_SERVICE_CONNECT NAT subnet."
  default     = "10.50.16.0/24"
}
