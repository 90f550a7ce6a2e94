variable "project_id" {
  type        = string
  description = "Google Cloud project."
}

variable "region" {
  type        = string
  description = "Region with L4 GPUs."
  default     = "europe-west4"
}
