terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  # Partial configuration: terraform init -backend-config="storage_account_name=..." -backend-config="container_name=tfstate" -backend-config="key=quiver.tfstate"
  backend "azurerm" {}

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 3.117"
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
