{{/* Name of the release's objects: the release name, cut to fit DNS labels with a -gateway/-worker suffix. */}}
{{- define "quiver.fullname" -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "quiver.gateway.name" -}}{{ include "quiver.fullname" . }}-gateway{{- end -}}
{{- define "quiver.worker.name" -}}{{ include "quiver.fullname" . }}-worker{{- end -}}

{{- define "quiver.labels" -}}
app.kubernetes.io/name: quiver
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "quiver.gateway.selectorLabels" -}}
app.kubernetes.io/name: quiver
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end -}}

{{- define "quiver.worker.selectorLabels" -}}
app.kubernetes.io/name: quiver
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end -}}

{{/* image: registry prefix + repository + tag (the chart's appVersion when empty). */}}
{{- define "quiver.image" -}}
{{- $root := index . 0 -}}
{{- $image := index . 1 -}}
{{- $repository := index . 2 -}}
{{- $tag := default $root.Chart.AppVersion $image.tag -}}
{{- if $root.Values.imageRegistry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $root.Values.imageRegistry) $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "quiver.worker.repository" -}}
{{- if .Values.worker.image.repository -}}
{{- .Values.worker.image.repository -}}
{{- else if .Values.worker.gpu.enabled -}}
quiver-worker-cuda
{{- else -}}
quiver-worker
{{- end -}}
{{- end -}}

{{- define "quiver.secretName" -}}
{{- if eq .Values.secrets.provider "existing" -}}
{{- required "secrets.existingSecret is required when secrets.provider is existing" .Values.secrets.existingSecret -}}
{{- else -}}
{{- include "quiver.gateway.name" . -}}
{{- end -}}
{{- end -}}

{{/* Pod and container security settings shared by every Quiver container: non-root, read-only root. */}}
{{- define "quiver.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "quiver.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
{{- end -}}

{{/* Annotations that make the gateway's load balancer internal (or public, when the customer opts in). */}}
{{- define "quiver.gateway.lbAnnotations" -}}
{{- $public := .Values.gateway.service.public -}}
{{- if eq .Values.cloud "aws" }}
service.beta.kubernetes.io/aws-load-balancer-type: nlb
service.beta.kubernetes.io/aws-load-balancer-internal: {{ ternary "false" "true" $public | quote }}
service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled: "true"
{{- else if eq .Values.cloud "gcp" }}
{{- if not $public }}
networking.gke.io/load-balancer-type: Internal
{{- end }}
{{- else if eq .Values.cloud "azure" }}
service.beta.kubernetes.io/azure-load-balancer-internal: {{ ternary "false" "true" $public | quote }}
{{- with .Values.gateway.privateEndpoint }}
{{- if .enabled }}
service.beta.kubernetes.io/azure-pls-create: "true"
service.beta.kubernetes.io/azure-pls-name: {{ include "quiver.gateway.name" $ | quote }}
{{- with .natSubnets }}
service.beta.kubernetes.io/azure-pls-ip-configuration-subnet: {{ first . | quote }}
{{- end }}
{{- with .allowedConsumers }}
service.beta.kubernetes.io/azure-pls-visibility: {{ join " " . | quote }}
service.beta.kubernetes.io/azure-pls-auto-approval: {{ join " " . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The image and the command that copy the base model from the bucket, per cloud, using workload identity. */}}
{{- define "quiver.worker.fetchImage" -}}
{{- if .Values.worker.model.fetch.image -}}
{{- .Values.worker.model.fetch.image -}}
{{- else if eq .Values.cloud "aws" -}}
public.ecr.aws/aws-cli/aws-cli:2.27.50
{{- else if eq .Values.cloud "gcp" -}}
gcr.io/google.com/cloudsdktool/google-cloud-cli:527.0.0-slim
{{- else if eq .Values.cloud "azure" -}}
mcr.microsoft.com/azure-cli:2.75.0
{{- else -}}
{{- fail "worker.model.fetch.image is required when cloud is generic and worker.model.source is bucket" -}}
{{- end -}}
{{- end -}}

{{- define "quiver.worker.fetchCommand" -}}
{{- if .Values.worker.model.fetch.command -}}
{{- .Values.worker.model.fetch.command -}}
{{- else if eq .Values.cloud "aws" -}}
aws s3 sync "$MODEL_URI" "$MODEL_DIR" --only-show-errors
{{- else if eq .Values.cloud "gcp" -}}
gcloud storage rsync --recursive "$MODEL_URI" "$MODEL_DIR"
{{- else if eq .Values.cloud "azure" -}}
az login --service-principal --username "$AZURE_CLIENT_ID" --tenant "$AZURE_TENANT_ID" --federated-token "$(cat "$AZURE_FEDERATED_TOKEN_FILE")" --output none && account="$(echo "$MODEL_URI" | cut -d/ -f3 | cut -d. -f1)" && container="$(echo "$MODEL_URI" | cut -d/ -f4)" && prefix="$(echo "$MODEL_URI" | cut -d/ -f5-)" && az storage blob download-batch --auth-mode login --account-name "$account" --source "$container" --pattern "$prefix/*" --destination /models/.fetch --output none && mv "/models/.fetch/$prefix" "$MODEL_DIR"
{{- else -}}
{{- fail "worker.model.fetch.command is required when cloud is generic and worker.model.source is bucket" -}}
{{- end -}}
{{- end -}}
