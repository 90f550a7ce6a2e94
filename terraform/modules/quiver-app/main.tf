locals {
  chart_path     = coalesce(var.chart_path, "${path.module}/../../charts/quiver")
  prometheus_url = coalesce(var.prometheus_url, "http://prometheus-server.monitoring.svc.cluster.local")

  values = {
    cloud         = var.cloud
    imageRegistry = var.image_registry
    gateway = {
      image          = { tag = var.image_tag == null ? "" : var.image_tag }
      database       = { url = var.database_url }
      adapterStore   = { uri = var.adapter_store_uri }
      serviceAccount = { create = true, annotations = var.gateway_service_account_annotations }
      autoscaling = {
        enabled     = true
        minReplicas = var.gateway_replicas.min
        maxReplicas = var.gateway_replicas.max
      }
      service = {
        public                   = var.public
        loadBalancerSourceRanges = var.public ? var.allowed_client_cidrs : []
      }
      privateEndpoint = {
        enabled          = var.private_endpoint.enabled && var.cloud != "aws"
        natSubnets       = var.private_endpoint.nat_subnets
        allowedConsumers = var.private_endpoint.allowed_consumers
      }
      networkPolicy = {
        allowedCidrs          = var.allowed_client_cidrs
        dataCidrs             = var.data_cidrs
        identityProviderCidrs = var.identity_provider_cidrs
      }
    }
    worker = {
      image          = { tag = var.image_tag == null ? "" : var.image_tag }
      modelId        = var.model_id
      gpu            = { enabled = var.gpu_enabled }
      model          = { source = "bucket", uri = var.model_uri }
      serviceAccount = { create = true, annotations = var.worker_service_account_annotations }
      resources = {
        requests = { cpu = var.worker_resources.cpu, memory = var.worker_resources.memory }
        limits   = { memory = var.worker_resources.memory }
      }
      nodeSelector = var.worker_node_selector
      tolerations = var.gpu_enabled ? [
        { key = "nvidia.com/gpu", operator = "Exists", effect = "NoSchedule" }
      ] : []
      autoscaling = {
        enabled         = true
        minReplicas     = var.worker_replicas.min
        maxReplicas     = var.worker_replicas.max
        cooldownSeconds = var.worker_cooldown_seconds
        prometheus      = { serverAddress = local.prometheus_url }
      }
    }
    secrets = {
      provider       = var.secrets.provider
      existingSecret = "${var.release_name}-gateway"
      keys = var.secrets.provider == "externalSecrets" ? keys(var.secrets.remote_refs) : [
        "SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD", "SPRING_DATA_REDIS_URL",
        "QUIVER_AUDIT_SIGNING_KEY", "QUIVER_BOOTSTRAP_ADMIN_PASSWORD",
      ]
      externalSecrets = {
        provider   = var.secrets.store
        remoteRefs = var.secrets.remote_refs
      }
    }
  }
}

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
    labels = {
      "app.kubernetes.io/part-of"          = "quiver"
      "pod-security.kubernetes.io/enforce" = "restricted"
    }
  }
}

resource "helm_release" "keda" {
  count = var.install_keda ? 1 : 0

  name             = "keda"
  repository       = "https://kedacore.github.io/charts"
  chart            = "keda"
  version          = var.chart_versions.keda
  namespace        = "keda"
  create_namespace = true
  atomic           = true
}

resource "helm_release" "external_secrets" {
  count = var.install_external_secrets && var.secrets.provider == "externalSecrets" ? 1 : 0

  name             = "external-secrets"
  repository       = "https://charts.external-secrets.io"
  chart            = "external-secrets"
  version          = var.chart_versions.external_secrets
  namespace        = "external-secrets"
  create_namespace = true
  atomic           = true

  set {
    name  = "installCRDs"
    value = "true"
  }
}

resource "helm_release" "nvidia_device_plugin" {
  count = var.install_nvidia_device_plugin && var.gpu_enabled ? 1 : 0

  name             = "nvidia-device-plugin"
  repository       = "https://nvidia.github.io/k8s-device-plugin"
  chart            = "nvidia-device-plugin"
  version          = var.chart_versions.nvidia_device_plugin
  namespace        = "nvidia-device-plugin"
  create_namespace = true
  atomic           = true

  values = [yamlencode({
    nodeSelector = var.worker_node_selector
    tolerations  = [{ key = "nvidia.com/gpu", operator = "Exists", effect = "NoSchedule" }]
  })]
}

# A small Prometheus (server only, 7 days) that scrapes the annotated Quiver pods; KEDA asks it for the gateway's
# pending-request and request-rate metrics. Nothing is remote-written anywhere.
resource "helm_release" "prometheus" {
  count = var.install_prometheus ? 1 : 0

  name             = "prometheus"
  repository       = "https://prometheus-community.github.io/helm-charts"
  chart            = "prometheus"
  version          = var.chart_versions.prometheus
  namespace        = "monitoring"
  create_namespace = true
  atomic           = true

  values = [yamlencode({
    alertmanager               = { enabled = false }
    "prometheus-pushgateway"   = { enabled = false }
    "prometheus-node-exporter" = { enabled = false }
    "kube-state-metrics"       = { enabled = false }
    server = {
      retention        = "7d"
      persistentVolume = { size = "20Gi" }
    }
  })]
}

resource "helm_release" "this" {
  name      = var.release_name
  chart     = local.chart_path
  namespace = kubernetes_namespace_v1.this.metadata[0].name
  atomic    = true
  timeout   = 900

  values = [yamlencode(local.values), yamlencode(var.extra_values)]

  depends_on = [
    helm_release.keda,
    helm_release.external_secrets,
    helm_release.nvidia_device_plugin,
    helm_release.prometheus,
  ]
}

data "kubernetes_service_v1" "gateway" {
  metadata {
    name      = "${var.release_name}-gateway"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }

  depends_on = [helm_release.this]
}
