# terraform test (run from terraform/modules/quiver-app): plans with mock providers, no cluster needed.

mock_provider "helm" {}
mock_provider "kubernetes" {}

variables {
  cloud                = "aws"
  image_registry       = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/quiver"
  database_url         = "jdbc:postgresql://quiver.example.internal:5432/quiver?sslmode=require"
  model_id             = "Qwen/Qwen2.5-1.5B-Instruct"
  model_uri            = "s3://quiver-artifacts/models/Qwen/Qwen2.5-1.5B-Instruct"
  allowed_client_cidrs = ["10.40.0.0/16"]
  data_cidrs           = ["10.40.0.0/16"]
  secrets              = { provider = "existing" }
}

run "installs_quiver_privately_with_keda_and_workers_from_zero" {
  command = plan

  assert {
    condition     = length(helm_release.keda) == 1
    error_message = "KEDA is installed by default: the worker pool scales from zero through it."
  }

  assert {
    condition     = yamldecode(helm_release.this.values[0]).gateway.service.public == false
    error_message = "The gateway's load balancer is internal unless the customer opts in."
  }

  assert {
    condition     = yamldecode(helm_release.this.values[0]).worker.autoscaling.minReplicas == 0
    error_message = "Workers scale to zero by default."
  }

  assert {
    condition     = kubernetes_namespace_v1.this.metadata[0].labels["pod-security.kubernetes.io/enforce"] == "restricted"
    error_message = "The namespace enforces the restricted Pod Security Standard."
  }
}

run "gcp_leaves_the_device_plugin_to_gke" {
  command = plan

  variables {
    cloud                        = "gcp"
    install_nvidia_device_plugin = false
  }

  assert {
    condition     = length(helm_release.nvidia_device_plugin) == 0
    error_message = "GKE installs its own NVIDIA device plugin."
  }
}

run "external_secrets_is_installed_only_when_used" {
  command = plan

  assert {
    condition     = length(helm_release.external_secrets) == 0
    error_message = "With secrets.provider existing, External Secrets is not installed."
  }
}

run "rejects_an_unknown_cloud" {
  command = plan

  variables {
    cloud = "on-a-boat"
  }

  expect_failures = [var.cloud]
}
