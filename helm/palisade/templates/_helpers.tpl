{{/* Chart name, overridable with nameOverride. */}}
{{- define "palisade.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-qualified name, the prefix of every object. Cluster-scoped objects (ClusterRoles and
their bindings) carry it too, so two releases do not collide.
*/}}
{{- define "palisade.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "palisade.agent.name" -}}
{{- printf "%s-agent" (include "palisade.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "palisade.controller.name" -}}
{{- printf "%s-controller" (include "palisade.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The controller's leader-election Lease, an object of the chart (controller-lease.yaml). */}}
{{- define "palisade.controller.leaseName" -}}
{{- printf "%s-leader" (include "palisade.controller.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "palisade.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Labels every object carries (Helm and Kubernetes recommended labels). */}}
{{- define "palisade.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "palisade.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: palisade
{{- end }}

{{/* Selector labels of one component ("agent" or "controller"); never change on upgrade. */}}
{{- define "palisade.selectorLabels" -}}
app.kubernetes.io/name: {{ include "palisade.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "palisade.componentLabels" -}}
{{ include "palisade.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Pod annotations that let an annotation-driven Prometheus scrape a component. */}}
{{- define "palisade.prometheusAnnotations" -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}

{{/* A duration of the schema's form (a whole number and ms, s, m or h) in milliseconds. */}}
{{- define "palisade.durationMillis" -}}
{{- $factors := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 }}
{{- mul (regexFind "^[0-9]+" .) (get $factors (regexFind "[a-z]+$" .)) }}
{{- end }}
