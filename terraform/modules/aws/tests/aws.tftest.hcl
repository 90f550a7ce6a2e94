# terraform test (run from terraform/modules/aws after terraform init): plans against mock providers, so no AWS
# account, cluster or credentials are touched. Covers the "existing VPC and cluster" mode and the opt-ins.

mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_eks_cluster" {
    defaults = {
      endpoint              = "https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com"
      certificate_authority = [{ data = "Y2E=" }]
    }
  }
}
mock_provider "helm" {}
mock_provider "kubernetes" {}
mock_provider "random" {}
mock_provider "tls" {}

variables {
  region                     = "eu-west-1"
  create_vpc                 = false
  vpc_id                     = "vpc-0123456789abcdef0"
  existing_vpc_cidr          = "10.0.0.0/16"
  private_subnet_ids         = ["subnet-0a", "subnet-0b", "subnet-0c"]
  create_cluster             = false
  existing_cluster_name      = "platform"
  existing_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF"
  deletion_protection        = false
}

run "existing_vpc_and_cluster_create_neither" {
  command = plan

  assert {
    condition     = length(module.vpc) == 0 && length(module.eks) == 0
    error_message = "create_vpc = false and create_cluster = false must create no VPC and no cluster."
  }

  assert {
    condition     = output.cluster_name == "platform"
    error_message = "Outputs describe the existing cluster."
  }

  assert {
    condition     = output.private_endpoint_service == null
    error_message = "PrivateLink is off unless enabled."
  }
}

run "bucket_is_versioned_and_encrypted_with_our_key" {
  command = plan

  assert {
    condition     = aws_s3_bucket_versioning.artifacts.versioning_configuration[0].status == "Enabled"
    error_message = "The artifacts bucket is versioned."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.artifacts.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"
    error_message = "The artifacts bucket is encrypted with the customer-managed KMS key."
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.artifacts.restrict_public_buckets
    error_message = "The artifacts bucket can never be public."
  }
}

run "rejects_a_bad_name" {
  command = plan

  variables {
    name = "Quiver_Prod"
  }

  expect_failures = [var.name]
}
