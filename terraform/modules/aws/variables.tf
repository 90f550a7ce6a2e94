variable "name" {
  type        = string
  description = "Name prefix of every resource (and the EKS cluster's name when one is created)."
  default     = "quiver"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  type        = string
  description = "AWS region, e.g. eu-west-1."
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource."
  default     = {}
}

# Network

variable "create_vpc" {
  type        = bool
  description = "Create a VPC (terraform-aws-modules/vpc). False: use vpc_id and the subnet ids given."
  default     = true
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the VPC this module creates."
  default     = "10.40.0.0/16"
}

variable "vpc_id" {
  type        = string
  description = "Existing VPC id, when create_vpc is false."
  default     = null
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Existing private subnets (nodes, internal load balancer), when create_vpc is false."
  default     = []
}

variable "database_subnet_ids" {
  type        = list(string)
  description = "Existing subnets for RDS and ElastiCache, when create_vpc is false (defaults to private_subnet_ids)."
  default     = []
}

variable "existing_vpc_cidr" {
  type        = string
  description = "CIDR of the existing VPC, when create_vpc is false (opens the data stores and the gateway to it)."
  default     = null
}

variable "enable_nat_gateway" {
  type        = bool
  description = "Give private subnets a NAT gateway (outbound only) so nodes can pull third-party images (KEDA, NVIDIA, Prometheus). False for a VPC with no route out: mirror those images into ECR first."
  default     = true
}

# Cluster

variable "create_cluster" {
  type        = bool
  description = "Create an EKS cluster (terraform-aws-modules/eks). False: install into existing_cluster_name."
  default     = true
}

variable "existing_cluster_name" {
  type        = string
  description = "EKS cluster to install into, when create_cluster is false."
  default     = null
}

variable "existing_oidc_provider_arn" {
  type        = string
  description = "IAM OIDC provider of the existing cluster (for IRSA), when create_cluster is false."
  default     = null
}

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes version."
  default     = "1.33"
}

variable "cluster_admin_arns" {
  type        = list(string)
  description = "IAM principals given cluster admin through EKS access entries (besides the identity that applies)."
  default     = []
}

variable "system_instance_types" {
  type        = list(string)
  description = "Instance types of the system node group (gateway, KEDA, Prometheus)."
  default     = ["m7i.xlarge"]
}

variable "system_node_count" {
  type = object({
    min = number
    max = number
  })
  description = "Least and most system nodes."
  default     = { min = 2, max = 6 }
}

variable "gpu_instance_types" {
  type        = list(string)
  description = "Instance types of the GPU node group (g6 = NVIDIA L4). It scales from zero."
  default     = ["g6.2xlarge"]
}

variable "gpu_max_nodes" {
  type        = number
  description = "Most GPU nodes; the group's least is zero."
  default     = 4
}

variable "gpu_capacity_type" {
  type        = string
  description = "ON_DEMAND or SPOT for the GPU node group."
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.gpu_capacity_type)
    error_message = "gpu_capacity_type must be ON_DEMAND or SPOT."
  }
}

# Data stores

variable "db_instance_class" {
  type        = string
  description = "RDS PostgreSQL instance class."
  default     = "db.r7g.large"
}

variable "db_allocated_storage" {
  type        = number
  description = "RDS storage in GiB (autoscaling up to four times this)."
  default     = 50
}

variable "db_multi_az" {
  type        = bool
  description = "Run RDS Multi-AZ."
  default     = true
}

variable "redis_node_type" {
  type        = string
  description = "ElastiCache node type."
  default     = "cache.r7g.large"
}

variable "redis_replicas" {
  type        = number
  description = "ElastiCache replicas besides the primary (0 for none)."
  default     = 1
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the database from deletion and keep a final snapshot; keep the bucket when not empty."
  default     = true
}

# Application

variable "image_registry" {
  type        = string
  description = "Registry prefix of the Quiver images; null uses the ECR repositories this module creates."
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
  description = "Put the gateway behind an internet-facing NLB. Off: internal NLB only."
  default     = false
}

variable "allowed_client_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to call the gateway; empty allows the VPC's own CIDR."
  default     = []
}

variable "enable_private_link" {
  type        = bool
  description = "Publish the gateway's internal NLB as a PrivateLink endpoint service, for consumers in other VPCs or accounts."
  default     = false
}

variable "private_link_allowed_principals" {
  type        = list(string)
  description = "IAM principals (account or role ARNs) allowed to create endpoints to the PrivateLink service."
  default     = []
}
