data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 3)

  vpc_id              = var.create_vpc ? module.vpc[0].vpc_id : var.vpc_id
  vpc_cidr            = var.create_vpc ? var.vpc_cidr : var.existing_vpc_cidr
  private_subnet_ids  = var.create_vpc ? module.vpc[0].private_subnets : var.private_subnet_ids
  database_subnet_ids = var.create_vpc ? module.vpc[0].database_subnets : coalescelist(var.database_subnet_ids, var.private_subnet_ids)

  cluster_name      = var.create_cluster ? module.eks[0].cluster_name : var.existing_cluster_name
  cluster_endpoint  = var.create_cluster ? module.eks[0].cluster_endpoint : data.aws_eks_cluster.existing[0].endpoint
  cluster_ca        = var.create_cluster ? module.eks[0].cluster_certificate_authority_data : data.aws_eks_cluster.existing[0].certificate_authority[0].data
  oidc_provider_arn = var.create_cluster ? module.eks[0].oidc_provider_arn : var.existing_oidc_provider_arn
  oidc_issuer       = replace(local.oidc_provider_arn, "/^arn:[^:]+:iam::[0-9]+:oidc-provider\\//", "")

  namespace       = "quiver"
  image_registry  = coalesce(var.image_registry, "${data.aws_caller_identity.current.account_id}.dkr.ecr.${var.region}.amazonaws.com/${var.name}")
  client_cidrs    = length(var.allowed_client_cidrs) > 0 ? var.allowed_client_cidrs : [local.vpc_cidr]
  bucket_name     = "${var.name}-artifacts-${data.aws_caller_identity.current.account_id}-${var.region}"
  model_uri       = "s3://${local.bucket_name}/models/${var.model_id}"
  redis_url       = "rediss://:${random_password.redis.result}@${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
  audit_key_pkcs8 = replace(replace(replace(tls_private_key.audit.private_key_pem, "-----BEGIN PRIVATE KEY-----", ""), "-----END PRIVATE KEY-----", ""), "\n", "")

  tags = merge(var.tags, { "quiver.io/deployment" = var.name })
}

################################################################################
# Network: private subnets for nodes and the internal NLB, isolated ones for data
################################################################################

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.21.0"
  count   = var.create_vpc ? 1 : 0

  name = var.name
  cidr = var.vpc_cidr
  azs  = local.azs

  private_subnets  = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 4, i)]
  public_subnets   = var.enable_nat_gateway ? [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 8, 200 + i)] : []
  database_subnets = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 8, 210 + i)]

  enable_nat_gateway           = var.enable_nat_gateway
  single_nat_gateway           = true
  create_igw                   = var.enable_nat_gateway
  enable_dns_hostnames         = true
  enable_dns_support           = true
  create_database_subnet_group = false

  private_subnet_tags = {
    "kubernetes.io/role/internal-elb" = "1"
  }
  public_subnet_tags = {
    "kubernetes.io/role/elb" = "1"
  }

  tags = local.tags
}

# Private endpoints so the nodes and pods reach S3, ECR, STS, Secrets Manager and KMS without leaving the VPC.
module "vpc_endpoints" {
  source  = "terraform-aws-modules/vpc/aws//modules/vpc-endpoints"
  version = "5.21.0"
  count   = var.create_vpc ? 1 : 0

  vpc_id                     = local.vpc_id
  create_security_group      = true
  security_group_name_prefix = "${var.name}-endpoints-"
  security_group_rules = {
    https_from_vpc = {
      description = "HTTPS from the VPC"
      cidr_blocks = [var.vpc_cidr]
    }
  }

  endpoints = merge(
    {
      s3 = {
        service         = "s3"
        service_type    = "Gateway"
        route_table_ids = module.vpc[0].private_route_table_ids
      }
    },
    {
      for service in ["ecr.api", "ecr.dkr", "sts", "secretsmanager", "kms", "ec2", "elasticloadbalancing", "autoscaling", "eks", "logs"] :
      replace(service, ".", "_") => {
        service             = service
        private_dns_enabled = true
        subnet_ids          = module.vpc[0].private_subnets
      }
    },
  )

  tags = local.tags
}

################################################################################
# EKS: private API endpoint, a system node group and a GPU node group from zero
################################################################################

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "20.36.0"
  count   = var.create_cluster ? 1 : 0

  cluster_name    = var.name
  cluster_version = var.kubernetes_version

  vpc_id     = local.vpc_id
  subnet_ids = local.private_subnet_ids

  cluster_endpoint_public_access  = false
  cluster_endpoint_private_access = true
  enable_irsa                     = true

  enable_cluster_creator_admin_permissions = true
  access_entries = {
    for i, arn in var.cluster_admin_arns : "admin-${i}" => {
      principal_arn = arn
      policy_associations = {
        admin = {
          policy_arn   = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
  }

  cluster_addons = {
    coredns    = {}
    kube-proxy = {}
    # The VPC CNI enforces Kubernetes NetworkPolicies only with its policy agent switched on.
    vpc-cni = {
      before_compute       = true
      configuration_values = jsonencode({ enableNetworkPolicy = "true" })
    }
    eks-pod-identity-agent = {}
  }

  eks_managed_node_groups = {
    system = {
      ami_type       = "AL2023_x86_64_STANDARD"
      instance_types = var.system_instance_types
      min_size       = var.system_node_count.min
      max_size       = var.system_node_count.max
      desired_size   = var.system_node_count.min
      labels         = { "quiver.io/pool" = "system" }
    }

    # Scales from zero: the cluster autoscaler reads this group's labels and taints from EKS to know a GPU node
    # would fit a pending worker.
    gpu = {
      ami_type       = "AL2023_x86_64_NVIDIA"
      instance_types = var.gpu_instance_types
      capacity_type  = var.gpu_capacity_type
      min_size       = 0
      max_size       = var.gpu_max_nodes
      desired_size   = 0
      labels         = { "quiver.io/pool" = "gpu" }
      taints = {
        gpu = {
          key    = "nvidia.com/gpu"
          value  = "present"
          effect = "NO_SCHEDULE"
        }
      }
      block_device_mappings = {
        root = {
          device_name = "/dev/xvda"
          ebs = {
            volume_size = 200
            volume_type = "gp3"
            encrypted   = true
            kms_key_id  = aws_kms_key.this.arn
          }
        }
      }
      tags = {
        "k8s.io/cluster-autoscaler/node-template/label/quiver.io/pool"     = "gpu"
        "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"     = "present:NoSchedule"
        "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu" = "1"
      }
    }
  }

  tags = local.tags
}

data "aws_eks_cluster" "existing" {
  count = var.create_cluster ? 0 : 1
  name  = var.existing_cluster_name
}

################################################################################
# Encryption, bucket and images
################################################################################

resource "aws_kms_key" "this" {
  description             = "Quiver ${var.name}: bucket, database, cache, secrets and node volumes"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_s3_bucket" "artifacts" {
  bucket        = local.bucket_name
  force_destroy = !var.deletion_protection
  tags          = local.tags
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.artifacts]
}

resource "aws_ecr_repository" "images" {
  for_each = var.image_registry == null ? toset(["quiver-gateway", "quiver-worker", "quiver-worker-cuda"]) : toset([])

  name                 = "${var.name}/${each.key}"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = !var.deletion_protection

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.this.arn
  }

  tags = local.tags
}

################################################################################
# PostgreSQL (RDS) and Redis (ElastiCache), reachable only from the VPC
################################################################################

resource "aws_security_group" "data" {
  name_prefix = "${var.name}-data-"
  description = "PostgreSQL and Redis, from the VPC only"
  vpc_id      = local.vpc_id
  tags        = local.tags

  ingress {
    description = "PostgreSQL from the VPC"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [local.vpc_cidr]
  }

  ingress {
    description = "Redis (TLS) from the VPC"
    from_port   = 6379
    to_port     = 6379
    protocol    = "tcp"
    cidr_blocks = [local.vpc_cidr]
  }
}

module "db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.12.0"

  identifier = var.name

  engine               = "postgres"
  engine_version       = "17"
  family               = "postgres17"
  major_engine_version = "17"
  instance_class       = var.db_instance_class

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_allocated_storage * 4
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.this.arn

  db_name  = "quiver"
  username = "quiver"
  port     = 5432

  # RDS keeps the password in Secrets Manager, encrypted with our key, and rotates it.
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.this.arn

  multi_az               = var.db_multi_az
  create_db_subnet_group = true
  subnet_ids             = local.database_subnet_ids
  vpc_security_group_ids = [aws_security_group.data.id]
  publicly_accessible    = false

  backup_retention_period         = 14
  deletion_protection             = var.deletion_protection
  skip_final_snapshot             = !var.deletion_protection
  performance_insights_enabled    = true
  performance_insights_kms_key_id = aws_kms_key.this.arn
  parameters = [
    { name = "rds.force_ssl", value = "1" },
  ]

  tags = local.tags
}

resource "random_password" "redis" {
  length  = 48
  special = false
}

resource "aws_elasticache_subnet_group" "this" {
  name       = "${var.name}-redis"
  subnet_ids = local.database_subnet_ids
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = "${var.name}-redis"
  description          = "Quiver ${var.name}: cluster-wide rate limits"
  engine               = "redis"
  engine_version       = "7.1"
  node_type            = var.redis_node_type
  port                 = 6379

  num_cache_clusters         = 1 + var.redis_replicas
  automatic_failover_enabled = var.redis_replicas > 0
  multi_az_enabled           = var.redis_replicas > 0

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.data.id]

  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.this.arn
  transit_encryption_enabled = true
  auth_token                 = random_password.redis.result

  tags = local.tags
}

################################################################################
# Secrets (Secrets Manager, our key) the gateway reads through External Secrets
################################################################################

resource "tls_private_key" "audit" {
  algorithm = "ED25519"
}

resource "random_password" "bootstrap_admin" {
  length  = 32
  special = false
}

resource "aws_secretsmanager_secret" "this" {
  for_each = toset(["redis", "audit-signing-key", "bootstrap-admin-password"])

  name                    = "${var.name}/${each.key}"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.deletion_protection ? 30 : 0
  tags                    = local.tags
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each = {
    "redis"                    = jsonencode({ url = local.redis_url })
    "audit-signing-key"        = local.audit_key_pkcs8
    "bootstrap-admin-password" = random_password.bootstrap_admin.result
  }

  secret_id     = aws_secretsmanager_secret.this[each.key].id
  secret_string = each.value
}

################################################################################
# Identities (IRSA): the gateway reads its secrets and publishes uploaded adapters,
# the workers read the bucket
################################################################################

data "aws_iam_policy_document" "assume" {
  for_each = toset(["gateway", "worker"])

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${local.namespace}:quiver-${each.key}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "gateway" {
  name               = "${var.name}-gateway"
  assume_role_policy = data.aws_iam_policy_document.assume["gateway"].json
  tags               = local.tags
}

resource "aws_iam_role_policy" "gateway" {
  name = "secrets"
  role = aws_iam_role.gateway.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = concat([for s in aws_secretsmanager_secret.this : s.arn], [module.db.db_instance_master_user_secret_arn])
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [aws_kms_key.this.arn]
      },
      {
        # Uploaded adapters are published under adapters/, where the workers read them.
        Effect   = "Allow"
        Action   = ["s3:PutObject"]
        Resource = ["${aws_s3_bucket.artifacts.arn}/adapters/*"]
      },
    ]
  })
}

resource "aws_iam_role" "worker" {
  name               = "${var.name}-worker"
  assume_role_policy = data.aws_iam_policy_document.assume["worker"].json
  tags               = local.tags
}

resource "aws_iam_role_policy" "worker" {
  name = "artifacts"
  role = aws_iam_role.worker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [aws_s3_bucket.artifacts.arn]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = ["${aws_s3_bucket.artifacts.arn}/*"]
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.this.arn]
      },
    ]
  })
}

################################################################################
# Cluster autoscaler: brings GPU nodes up from zero when KEDA adds a worker
################################################################################

resource "aws_iam_role" "cluster_autoscaler" {
  count = var.create_cluster ? 1 : 0

  name = "${var.name}-cluster-autoscaler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = local.oidc_provider_arn }
      Condition = {
        StringEquals = {
          "${local.oidc_issuer}:sub" = "system:serviceaccount:kube-system:cluster-autoscaler"
          "${local.oidc_issuer}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
  tags = local.tags
}

resource "aws_iam_role_policy" "cluster_autoscaler" {
  count = var.create_cluster ? 1 : 0

  name = "autoscaling"
  role = aws_iam_role.cluster_autoscaler[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
          "eks:DescribeNodegroup",
        ]
        Resource = ["*"]
      },
      {
        Effect   = "Allow"
        Action   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
        Resource = ["*"]
        Condition = {
          StringEquals = { "aws:ResourceTag/k8s.io/cluster-autoscaler/${local.cluster_name}" = "owned" }
        }
      },
    ]
  })
}

resource "helm_release" "cluster_autoscaler" {
  count = var.create_cluster ? 1 : 0

  name       = "cluster-autoscaler"
  repository = "https://kubernetes.github.io/autoscaler"
  chart      = "cluster-autoscaler"
  version    = "9.46.6"
  namespace  = "kube-system"
  atomic     = true

  values = [yamlencode({
    cloudProvider = "aws"
    awsRegion     = var.region
    autoDiscovery = { clusterName = local.cluster_name }
    rbac = {
      serviceAccount = {
        name        = "cluster-autoscaler"
        annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.cluster_autoscaler[0].arn }
      }
    }
    extraArgs = {
      "balance-similar-node-groups"   = true
      "skip-nodes-with-local-storage" = false
      "scale-down-unneeded-time"      = "5m"
    }
    nodeSelector = { "quiver.io/pool" = "system" }
  })]

  depends_on = [module.eks]
}

################################################################################
# Quiver itself
################################################################################

module "app" {
  source = "../quiver-app"

  cloud          = "aws"
  namespace      = local.namespace
  image_registry = local.image_registry
  image_tag      = var.image_tag
  database_url   = "jdbc:postgresql://${module.db.db_instance_endpoint}/quiver?sslmode=require"
  model_id       = var.model_id
  model_uri      = local.model_uri

  adapter_store_uri = "s3://${local.bucket_name}/adapters"

  gateway_service_account_annotations = { "eks.amazonaws.com/role-arn" = aws_iam_role.gateway.arn }
  worker_service_account_annotations  = { "eks.amazonaws.com/role-arn" = aws_iam_role.worker.arn }

  worker_replicas         = var.worker_replicas
  public                  = var.expose_publicly
  allowed_client_cidrs    = local.client_cidrs
  identity_provider_cidrs = var.identity_provider_cidrs
  data_cidrs              = [local.vpc_cidr]

  secrets = {
    provider = "externalSecrets"
    store    = { aws = { service = "SecretsManager", region = var.region } }
    remote_refs = {
      SPRING_DATASOURCE_USERNAME      = { key = module.db.db_instance_master_user_secret_arn, property = "username" }
      SPRING_DATASOURCE_PASSWORD      = { key = module.db.db_instance_master_user_secret_arn, property = "password" }
      SPRING_DATA_REDIS_URL           = { key = aws_secretsmanager_secret.this["redis"].name, property = "url" }
      QUIVER_AUDIT_SIGNING_KEY        = { key = aws_secretsmanager_secret.this["audit-signing-key"].name }
      QUIVER_BOOTSTRAP_ADMIN_PASSWORD = { key = aws_secretsmanager_secret.this["bootstrap-admin-password"].name }
    }
  }

  depends_on = [module.eks, aws_secretsmanager_secret_version.this]
}

################################################################################
# Optional PrivateLink endpoint service in front of the gateway's internal NLB
################################################################################

data "aws_lb" "gateway" {
  count = var.enable_private_link ? 1 : 0

  tags = {
    "kubernetes.io/service-name" = "${module.app.namespace}/${module.app.gateway_service_name}"
  }
}

resource "aws_vpc_endpoint_service" "gateway" {
  count = var.enable_private_link ? 1 : 0

  network_load_balancer_arns = [data.aws_lb.gateway[0].arn]
  acceptance_required        = true
  allowed_principals         = var.private_link_allowed_principals
  tags                       = merge(local.tags, { Name = "${var.name}-gateway" })
}
