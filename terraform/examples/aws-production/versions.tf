terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  # Partial configuration: terraform init -backend-config="bucket=..." -backend-config="key=quiver.tfstate" -backend-config="region=..."
  backend "s3" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.95"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 2.17"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.37"
    }
  }
}
