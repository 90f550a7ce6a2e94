variable "project_id" {
  type        = string
  description = "Google Cloud project."
}

variable "region" {
  type        = string
  description = "Region with L4 GPUs."
  default     = "europe-west4"
}

variable "cost_center" {
  type        = string
  description = "Cost center label."
}

variable "master_authorized_cidrs" {
  type        = list(string)
  description = "Networks allowed to reach the private control plane (bastion, VPN, CI runners)."
}

variable "client_cidrs" {
  type        = list(string)
  description = "Networks of the internal apps that call Quiver."
}

variable "psc_consumer_projects" {
  type        = list(string)
  description = "Projects allowed to connect to the gateway over Private Service Connect."
  default     = []
}
