variable "name" {
  type        = string
  description = "Name prefix of every resource (and the AKS cluster's name when one is created)."
  default     = "quiver"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.name))
    error_message = "name must be 2-12 lowercase letters or digits, starting with a letter (storage account names allow nothing else)."
  }
}

variable "location" {
  type        = string
  description = "Azure region, e.g. westeurope (pick one with NVadsA10/NCasT4 or NC A100 capacity)."
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
  default     = {}
}

variable "operator_cidrs" {
  type        = list(string)
  description = "Public CIDRs Terraform runs from, let through the Key Vault and Storage firewalls to write secrets and create the container. Empty when applying from inside the VNet."
  default     = []
}

# Network

variable "create_network" {
  type        = bool
  description = "Create a VNet with subnets for nodes, data, private endpoints and Private Link. False: use the subnet ids given."
  default     = true
}

variable "vnet_cidr" {
  type        = string
  description = "Address space of the VNet this module creates."
  default     = "10.60.0.0/16"
}

variable "existing_vnet_id" {
  type        = string
  description = "Existing VNet id, when create_network is false."
  default     = null
}

variable "existing_vnet_cidr" {
  type        = string
  description = "Address space of the existing VNet, when create_network is false."
  default     = null
}

variable "existing_subnet_ids" {
  type = object({
    nodes             = string
    postgres          = string
    private_endpoints = string
    private_link      = optional(string)
  })
  description = "Existing subnets, when create_network is false: nodes, a subnet delegated to PostgreSQL Flexible Server, one for private endpoints, and one for the Private Link service."
  default     = null
}

# Cluster

variable "create_cluster" {
  type        = bool
  description = "Create a private AKS cluster (Azure/aks module). False: install into existing_cluster_name."
  default     = true
}

variable "existing_cluster_name" {
  type        = string
  description = "AKS cluster to install into, when create_cluster is false (OIDC issuer and workload identity on)."
  default     = null
}

variable "existing_cluster_resource_group" {
  type        = string
  description = "Resource group of the existing cluster."
  default     = null
}

variable "kubernetes_version" {
  type        = string
  description = "AKS Kubernetes version."
  default     = "1.33"
}

variable "admin_group_object_ids" {
  type        = list(string)
  description = "Entra ID groups given cluster admin (local accounts are disabled)."
  default     = []
}

variable "system_vm_size" {
  type        = string
  description = "VM size of the system pool (gateway, KEDA, Prometheus)."
  default     = "Standard_D4ds_v5"
}

variable "system_node_count" {
  type = object({
    min = number
    max = number
  })
  description = "Least and most system nodes."
  default     = { min = 2, max = 5 }
}

variable "gpu_vm_size" {
  type        = string
  description = "VM size of the GPU pool (NVadsA10 v5, NCasT4 v3 or NC A100 v4)."
  default     = "Standard_NV36ads_A10_v5"
}

variable "gpu_max_nodes" {
  type        = number
  description = "Most GPU nodes; the pool's least is zero."
  default     = 4
}

variable "gpu_spot" {
  type        = bool
  description = "Use Spot VMs for the GPU pool."
  default     = false
}

# Data stores

variable "postgres_sku" {
  type        = string
  description = "PostgreSQL Flexible Server SKU."
  default     = "GP_Standard_D2ds_v5"
}

variable "postgres_storage_mb" {
  type        = number
  description = "PostgreSQL storage in MB."
  default     = 65536
}

variable "postgres_high_availability" {
  type        = bool
  description = "Zone-redundant standby for PostgreSQL."
  default     = true
}

variable "redis_sku" {
  type = object({
    name     = string
    family   = string
    capacity = number
  })
  description = "Azure Cache for Redis SKU."
  default     = { name = "Standard", family = "C", capacity = 1 }
}

variable "deletion_protection" {
  type        = bool
  description = "Purge protection on Key Vault and a delete lock on the resource group."
  default     = true
}

# Application

variable "image_registry" {
  type        = string
  description = "Registry prefix of the Quiver images; null uses the Azure Container Registry this module creates."
  default     = null
}

variable "image_tag" {
  type        = string
  description = "Quiver image tag; null uses the chart's appVersion."
  default     = null
}

variable "model_id" {
  type        = string
  description = "Base model id (Hugging Face layout) the workers serve; its files go under models/<model_id>/ in the container."
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
  description = "Put the gateway behind a public load balancer. Off: internal load balancer only."
  default     = false
}

variable "allowed_client_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to call the gateway; empty allows the VNet."
  default     = []
}

variable "enable_private_link" {
  type        = bool
  description = "Publish the gateway's internal load balancer as a Private Link service, for consumers in other VNets or tenants."
  default     = false
}

variable "private_link_allowed_subscriptions" {
  type        = list(string)
  description = "Subscriptions allowed to see and auto-connect to the Private Link service."
  default     = []
}
