{{/* Names, labels and derived values. Every name is declared here once and reused by the templates. */}}

{{- define "prometheus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "prometheus.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else if contains (include "prometheus.name" .) .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "prometheus.name" .) | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "prometheus.configName" -}}{{ include "prometheus.fullname" . }}-config{{- end -}}
{{- define "prometheus.discoveryRoleName" -}}{{ include "prometheus.fullname" . }}-discovery{{- end -}}
{{- define "prometheus.serviceAccountName" -}}{{ include "prometheus.fullname" . }}{{- end -}}

{{/* The port the API (and /-/ready, /-/healthy) listens on: Prometheus's own default. */}}
{{- define "prometheus.port" -}}9090{{- end -}}

{{/* The data directory, where the image's nobody-owned /prometheus is (cluster/images.ts PROMETHEUS_IMAGE_DATA). */}}
{{- define "prometheus.dataPath" -}}/prometheus{{- end -}}
{{- define "prometheus.configPath" -}}/etc/prometheus{{- end -}}

{{/* Every namespace Prometheus discovers pods in, each once (Kafka and RabbitMQ may share one). */}}
{{- define "prometheus.watchedNamespaces" -}}
{{- $all := list -}}
{{- if .Values.kafka.enabled -}}{{- $all = concat $all .Values.kafka.namespaces -}}{{- end -}}
{{- if .Values.rabbitmq.enabled -}}{{- $all = concat $all .Values.rabbitmq.namespaces -}}{{- end -}}
{{- $all | uniq | toJson -}}
{{- end -}}

{{/* An address as an ipBlock CIDR: a bare IP becomes a /32 (IPv4) or /128 (IPv6). */}}
{{- define "prometheus.cidr" -}}
{{- if contains "/" . -}}{{ . }}{{- else if contains ":" . -}}{{ . }}/128{{- else -}}{{ . }}/32{{- end -}}
{{- end -}}

{{/* Seconds of a duration of one unit (s, m or h; the schema allows no other form). */}}
{{- define "prometheus.seconds" -}}
{{- $n := regexFind "^[0-9]+" . | int -}}
{{- $unit := trimPrefix (toString $n) . -}}
{{- mul $n (get (dict "s" 1 "m" 60 "h" 3600) $unit) -}}
{{- end -}}

{{- define "prometheus.selectorLabels" -}}
app.kubernetes.io/name: {{ include "prometheus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "prometheus.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "prometheus.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: monitoring
app.kubernetes.io/part-of: messaging-platform
{{- end -}}

{{- define "prometheus.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/*
The relabelings of one pod scrape job, as prometheus-operator applies a PodMonitor's (charts/kafka and
charts/rabbitmq templates/podmonitor.yaml): running pods only, only the container port of the brokers' metrics (by
name and number), and the labels the alert rules and dashboards select and group by: namespace, pod, container,
endpoint (the port's name) and release (the Helm release, the pods' app.kubernetes.io/instance). The job label is
the scrape job's name. ctx = dict "port" <number> "portName" <name>.
*/}}
{{- define "prometheus.podRelabelings" -}}
- source_labels: [__meta_kubernetes_pod_phase]
  regex: Succeeded|Failed
  action: drop
- source_labels: [__meta_kubernetes_pod_container_port_name, __meta_kubernetes_pod_container_port_number]
  regex: {{ printf "%s;%v" .portName .port | quote }}
  action: keep
- source_labels: [__meta_kubernetes_namespace]
  target_label: namespace
- source_labels: [__meta_kubernetes_pod_name]
  target_label: pod
- source_labels: [__meta_kubernetes_pod_container_name]
  target_label: container
- source_labels: [__meta_kubernetes_pod_container_port_name]
  target_label: endpoint
- source_labels: [__meta_kubernetes_pod_label_app_kubernetes_io_instance]
  target_label: release
{{- end -}}
