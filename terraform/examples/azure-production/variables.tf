variable "location" {
  type        = string
  description = "Azure region."
  default     = "westeurope"
}

variable "operator_cidrs" {
  type        = list(string)
  description = "Public CIDRs Terraform runs from (Key Vault and Storage firewalls); empty when running inside the VNet."
  default     = []
}

variable "cost_center" {
  type        = string
  description = "Cost center tag."
}

variable "admin_group_object_ids" {
  type        = list(string)
  description = "Entra ID groups given cluster admin."
}

variable "client_cidrs" {
  type        = list(string)
  description = "Networks of the internal apps that call Quiver."
}

variable "private_link_allowed_subscriptions" {
  type        = list(string)
  description = "Subscriptions allowed to connect to the gateway over Private Link."
  default     = []
}
