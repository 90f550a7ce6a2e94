variable "region" {
  type        = string
  description = "AWS region."
  default     = "eu-west-1"
}

variable "cost_center" {
  type        = string
  description = "Cost center tag."
}

variable "cluster_admin_arns" {
  type        = list(string)
  description = "IAM roles given cluster admin (e.g. the platform team's SSO role)."
}

variable "client_cidrs" {
  type        = list(string)
  description = "Networks of the internal apps that call Quiver."
}

variable "private_link_allowed_principals" {
  type        = list(string)
  description = "Accounts allowed to connect to the gateway over PrivateLink."
  default     = []
}
