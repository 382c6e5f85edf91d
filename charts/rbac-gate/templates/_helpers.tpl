{{/* Name of the chart, or nameOverride. */}}
{{- define "rbac-gate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or fullnameOverride. */}}
{{- define "rbac-gate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "rbac-gate.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "rbac-gate.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "rbac-gate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rbac-gate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rbac-gate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "rbac-gate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "rbac-gate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rbac-gate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Namespaces whose Secrets rbac-gate watches: the listed ones, or ["*"] (all) in "cluster" scope. */}}
{{- define "rbac-gate.secretNamespaces" -}}
{{- if eq .Values.rbac.secrets.scope "cluster" }}["*"]{{ else }}{{ toJson .Values.rbac.secrets.namespaces }}{{ end }}
{{- end }}

{{/* Contradictory values fail the rendering with a message that says what to change. */}}
{{- define "rbac-gate.validate" -}}
{{- if and (eq .Values.rbac.secrets.scope "cluster") (not (empty .Values.rbac.secrets.namespaces)) }}
{{- fail "rbac.secrets.namespaces lists namespaces but rbac.secrets.scope is \"cluster\": choose one (cluster reads every Secret)" }}
{{- end }}
{{- if and (not .Values.rbac.create) (not .Values.serviceAccount.create) (empty .Values.serviceAccount.name) }}
{{- fail "serviceAccount.name is required when neither the ServiceAccount nor its RBAC is created" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas is greater than autoscaling.maxReplicas" }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (not .Values.autoscaling.enabled) (le (int .Values.replicaCount) (int .Values.podDisruptionBudget.maxUnavailable)) }}
{{- fail "podDisruptionBudget.maxUnavailable must be below replicaCount, or a drain can take every rbac-gate pod and every protected app with it" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled" }}
{{- end }}
{{- if and .Values.metrics.prometheusRule.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.prometheusRule.enabled needs metrics.enabled" }}
{{- end }}
{{- if and .Values.metrics.grafanaDashboard.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.grafanaDashboard.enabled needs metrics.enabled" }}
{{- end }}
{{- if and .Values.metrics.enabled (eq (int .Values.metrics.port) 8080) }}
{{- fail "metrics.port must differ from 8080, the port of /auth" }}
{{- end }}
{{- if and .Values.grpc.enabled (has (int .Values.grpc.port) (list 8080 (int .Values.health.port) (int .Values.metrics.port))) }}
{{- fail "grpc.port must differ from 8080, health.port and metrics.port" }}
{{- end }}
{{- if eq (int .Values.health.port) 8080 }}
{{- fail "health.port must differ from 8080, the port of /auth" }}
{{- end }}
{{- if and .Values.metrics.enabled (eq (int .Values.health.port) (int .Values.metrics.port)) }}
{{- fail "health.port must differ from metrics.port" }}
{{- end }}
{{- $names := dict }}
{{- range .Values.htpasswdFiles }}
{{- if hasKey $names .name }}
{{- fail (printf "htpasswdFiles names %q twice: each file needs a name of its own" .name) }}
{{- end }}
{{- $_ := set $names .name true }}
{{- end }}
{{- if and .Values.networkPolicy.enabled (empty .Values.networkPolicy.controllerPodSelector) (empty .Values.networkPolicy.controllerNamespaceSelector) }}
{{- fail "networkPolicy.enabled needs controllerPodSelector or controllerNamespaceSelector, or it lets nothing reach rbac-gate" }}
{{- end }}
{{- end }}

{{/* The container image: by digest when one is given, else by tag (default: the chart's appVersion). */}}
{{- define "rbac-gate.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/* How the auth endpoints are served: https with config.tls.secretName, else http. */}}
{{- define "rbac-gate.scheme" -}}
{{- if .Values.tls.secretName }}https{{ else }}http{{ end -}}
{{- end }}
