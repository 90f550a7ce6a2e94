variable "cloud" {
  type        = string
  description = "Cloud the cluster runs on (aws, gcp, azure or generic): picks internal load balancer annotations, the model fetch command and workload identity wiring."

  validation {
    condition     = contains(["aws", "gcp", "azure", "generic"], var.cloud)
    error_message = "cloud must be aws, gcp, azure or generic."
  }
}

variable "namespace" {
  type        = string
  description = "Namespace Quiver is installed into (created)."
  default     = "quiver"
}

variable "release_name" {
  type        = string
  description = "Helm release name; objects are named <release_name>-gateway and <release_name>-worker."
  default     = "quiver"
}

variable "chart_path" {
  type        = string
  description = "Path of the Quiver Helm chart. Defaults to the chart in this repository."
  default     = null
}

variable "image_registry" {
  type        = string
  description = "Registry prefix holding quiver-gateway, quiver-worker and quiver-worker-cuda (the cloud's private registry)."
}

variable "image_tag" {
  type        = string
  description = "Image tag of the Quiver images; null uses the chart's appVersion."
  default     = null
}

variable "database_url" {
  type        = string
  description = "JDBC URL of the PostgreSQL database (SPRING_DATASOURCE_URL)."
}

variable "gateway_service_account_annotations" {
  type        = map(string)
  description = "Annotations binding the gateway's Kubernetes service account to its cloud identity."
  default     = {}
}

variable "worker_service_account_annotations" {
  type        = map(string)
  description = "Annotations binding the workers' Kubernetes service account to their cloud identity."
  default     = {}
}

variable "gateway_replicas" {
  type = object({
    min = number
    max = number
  })
  description = "Least and most gateway replicas (HPA on CPU)."
  default     = { min = 2, max = 10 }
}

variable "model_id" {
  type        = string
  description = "Id of the base model every worker serves (QUIVER_WORKER_MODEL_ID)."
}

variable "model_uri" {
  type        = string
  description = "Bucket URI of the base model folder (s3://, gs:// or https:// for Azure Blob); workers copy it at start."
}

variable "adapter_store_uri" {
  type        = string
  description = "s3://, gs:// or az:// URI the gateway publishes uploaded adapters to and workers read; empty: set gateway.adapterStore in extra values (a ReadWriteMany claim)."
  default     = ""
}

variable "gpu_enabled" {
  type        = bool
  description = "Run workers on GPUs (the quiver-worker-cuda image, one nvidia.com/gpu each); false runs the CPU image."
  default     = true
}

variable "worker_replicas" {
  type = object({
    min = number
    max = number
  })
  description = "Least and most workers; KEDA scales between them on the gateway's pending-request metric (min 0 scales to zero)."
  default     = { min = 0, max = 4 }

  validation {
    condition     = var.worker_replicas.min >= 0 && var.worker_replicas.max >= max(1, var.worker_replicas.min)
    error_message = "worker_replicas needs 0 <= min <= max and max >= 1."
  }
}

variable "worker_resources" {
  type = object({
    cpu    = string
    memory = string
  })
  description = "CPU and memory each worker requests (its memory is also its limit)."
  default     = { cpu = "3", memory = "24Gi" }
}

variable "worker_node_selector" {
  type        = map(string)
  description = "Node labels that place workers on the GPU pool."
  default     = { "quiver.io/pool" = "gpu" }
}

variable "worker_cooldown_seconds" {
  type        = number
  description = "Seconds without traffic before the worker pool scales back to zero (and its GPU nodes drain away)."
  default     = 900
}

variable "public" {
  type        = bool
  description = "Put the gateway behind an internet-facing load balancer. Off (internal load balancer) unless the customer opts in."
  default     = false
}

variable "private_endpoint" {
  type = object({
    enabled           = bool
    nat_subnets       = optional(list(string), [])
    allowed_consumers = optional(list(string), [])
  })
  description = "Publish the internal load balancer through Private Service Connect (gcp) or Private Link (azure); on aws the aws module creates the endpoint service."
  default     = { enabled = false }
}

variable "allowed_client_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the gateway (the networks of the internal apps, or the load balancer subnets)."
}

variable "data_cidrs" {
  type        = list(string)
  description = "CIDRs of the managed PostgreSQL and Redis the gateway may reach."
}

variable "identity_provider_cidrs" {
  type        = list(string)
  description = "CIDRs of the tenants' OAuth2/OIDC identity providers, whose signing keys (JWKS) the gateway fetches over HTTPS. Empty: API keys only, or IdPs inside data_cidrs."
  default     = []
}

variable "secrets" {
  type = object({
    provider    = string
    store       = optional(any, {})
    remote_refs = optional(map(object({ key = string, property = optional(string) })), {})
  })
  description = "Where the gateway's secrets come from: provider externalSecrets (store: the External Secrets provider block, remote_refs: secret manager entries per key) or existing (a Secret named <release_name>-gateway made by other means)."
}

variable "install_keda" {
  type        = bool
  description = "Install KEDA (needed for scale to zero). Off when the cluster already runs it."
  default     = true
}

variable "install_external_secrets" {
  type        = bool
  description = "Install the External Secrets Operator. Off when the cluster already runs it."
  default     = true
}

variable "install_nvidia_device_plugin" {
  type        = bool
  description = "Install the NVIDIA device plugin (EKS and AKS; GKE installs its own)."
  default     = true
}

variable "install_prometheus" {
  type        = bool
  description = "Install a small Prometheus that scrapes Quiver and answers KEDA's queries. Off when prometheus_url points at an existing one."
  default     = true
}

variable "prometheus_url" {
  type        = string
  description = "URL of the Prometheus KEDA queries; null uses the one this module installs."
  default     = null
}

variable "chart_versions" {
  type = object({
    keda                 = optional(string, "2.17.2")
    external_secrets     = optional(string, "0.18.2")
    nvidia_device_plugin = optional(string, "0.17.2")
    prometheus           = optional(string, "27.20.0")
  })
  description = "Pinned versions of the third-party charts this module installs."
  default     = {}
}

variable "extra_values" {
  type        = any
  description = "Further Quiver chart values, merged over the ones this module computes (see terraform/charts/quiver/values.yaml)."
  default     = {}
}
