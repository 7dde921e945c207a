{{/* Names, labels and derived values. Every name is declared here once and reused by the templates. */}}

{{- define "smoke-gate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* At most 40 characters: the Job name appends "-" and a runId of at most 20 (63 in all). */}}
{{- define "smoke-gate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains (include "smoke-gate.name" .) .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "smoke-gate.name" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* One Job per runId: a Job's pod template is immutable and a finished Job never runs again. */}}
{{- define "smoke-gate.jobName" -}}{{ include "smoke-gate.fullname" . }}-{{ .Values.runId }}{{- end -}}
{{- define "smoke-gate.serviceAccountName" -}}{{ include "smoke-gate.fullname" . }}{{- end -}}
{{- define "smoke-gate.faultsRoleName" -}}{{ include "smoke-gate.fullname" . }}-faults{{- end -}}
{{- define "smoke-gate.reportsClaimName" -}}{{ include "smoke-gate.fullname" . }}-reports{{- end -}}
{{- define "smoke-gate.collectorServiceName" -}}{{ include "smoke-gate.fullname" . }}-collector{{- end -}}
{{- define "smoke-gate.workersName" -}}{{ include "smoke-gate.fullname" . }}-workers{{- end -}}

{{/* Where the worker pods reach the gate's collector: the headless Service's name in the release namespace. */}}
{{- define "smoke-gate.collectorAddress" -}}
{{ include "smoke-gate.collectorServiceName" . }}.{{ .Release.Namespace }}.svc:{{ .Values.collector.port }}
{{- end -}}

{{/* The broker namespaces, each once (Kafka and RabbitMQ may share one). */}}
{{- define "smoke-gate.brokerNamespaces" -}}
{{- list .Values.brokerNamespaces.kafka .Values.brokerNamespaces.rabbitmq | uniq | toJson -}}
{{- end -}}

{{/* An address as an ipBlock CIDR: a bare IP becomes a /32 (IPv4) or /128 (IPv6). */}}
{{- define "smoke-gate.cidr" -}}
{{- if contains "/" . -}}{{ . }}{{- else if contains ":" . -}}{{ . }}/128{{- else -}}{{ . }}/32{{- end -}}
{{- end -}}

{{- define "smoke-gate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "smoke-gate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The gate's pod, as the NetworkPolicies and the collector's Service select it. */}}
{{- define "smoke-gate.gateSelectorLabels" -}}
{{ include "smoke-gate.selectorLabels" . }}
messaging-platform.io/role: smoke-gate
{{- end -}}

{{/* The worker pods the gate creates (smoke-tests/workers/worker-job.ts labels them so: the release's selector labels
copied from the gate's pod, and the role smoke-worker). */}}
{{- define "smoke-gate.workerSelectorLabels" -}}
{{ include "smoke-gate.selectorLabels" . }}
messaging-platform.io/role: smoke-worker
{{- end -}}

{{- define "smoke-gate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "smoke-gate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: smoke-gate
app.kubernetes.io/part-of: messaging-platform
messaging-platform.io/role: smoke-gate
{{- end -}}

{{- define "smoke-gate.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* Egress rules the gate and its workers share (networkpolicy.yaml). */}}
{{- define "smoke-gate.brokerEgress" -}}
# Kafka: the client listener, in the Kafka namespace only.
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.brokerNamespaces.kafka }}
  ports:
    - { protocol: TCP, port: {{ .Values.brokerPorts.kafka.client }} }
# RabbitMQ: AMQP and the management API, in the RabbitMQ namespace only.
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.brokerNamespaces.rabbitmq }}
  ports:
    - { protocol: TCP, port: {{ .Values.brokerPorts.rabbitmq.amqp }} }
    - { protocol: TCP, port: {{ .Values.brokerPorts.rabbitmq.management }} }
{{- end }}
{{- define "smoke-gate.dnsEgress" -}}
# DNS: the target names brokers by Service and pod DNS names; queries go to the cluster's DNS pods only.
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.dns.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml .Values.dns.podLabels | nindent 10 }}
  ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- end }}
