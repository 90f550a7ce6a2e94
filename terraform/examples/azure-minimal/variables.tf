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
