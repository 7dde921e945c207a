{{/* Names, labels and derived values. Every name is declared here once and reused by the templates. */}}

{{- define "rabbitmq.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rabbitmq.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains (include "rabbitmq.name" .) .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "rabbitmq.name" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Headless Service of the nodes (the Cluster Operator's <name>-nodes); part of every node name. */}}
{{- define "rabbitmq.headlessName" -}}{{ include "rabbitmq.fullname" . }}-nodes{{- end -}}
{{- define "rabbitmq.defaultUserSecretName" -}}
{{- default (printf "%s-default-user" (include "rabbitmq.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}
{{- define "rabbitmq.cookieSecretName" -}}
{{- default (printf "%s-erlang-cookie" (include "rabbitmq.fullname" .)) .Values.erlangCookie.existingSecret -}}
{{- end -}}
{{- define "rabbitmq.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "rabbitmq.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{- define "rabbitmq.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rabbitmq.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "rabbitmq.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "rabbitmq.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: broker
app.kubernetes.io/part-of: rabbitmq
{{- end -}}

{{- define "rabbitmq.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* Kubernetes memory quantity -> bytes (integer). */}}
{{- define "rabbitmq.memoryBytes" -}}
{{- $q := toString . -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $unit := trimPrefix $num $q -}}
{{- $factors := dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 -}}
{{- if not (hasKey $factors $unit) -}}{{- fail (printf "memory quantity %q: unsupported unit %q" $q $unit) -}}{{- end -}}
{{- mulf (float64 $num) (get $factors $unit) | floor | int64 -}}
{{- end -}}

{{/*
Memory RabbitMQ may plan with: the container limit minus a headroom of 20% of it, at most 2 GiB (the Cluster
Operator's removeHeadroom). The memory watermark is relative to this, so the alarm fires before the OOM killer.
*/}}
{{- define "rabbitmq.totalMemoryAvailable" -}}
{{- $limit := include "rabbitmq.memoryBytes" .Values.resources.limits.memory | int64 -}}
{{- $headroom := min (div $limit 5) 2147483648 -}}
{{- sub $limit $headroom -}}
{{- end -}}

{{/* A rabbitmq.conf value: whole numbers without an exponent (YAML numbers arrive as float64). */}}
{{- define "rabbitmq.confValue" -}}
{{- if kindIs "float64" . -}}
{{- if eq (float64 (int64 .)) . -}}{{ int64 . }}{{- else -}}{{ . }}{{- end -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{- define "rabbitmq.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- /* The label the drills' isolate fault puts on a pod (contract/fault-labels.ts): a pod carrying it is selected by
no allow policy of this chart, only by the fault's deny-all. */}}
{{- define "rabbitmq.notIsolated" -}}
{ key: messaging-platform.io/isolated, operator: DoesNotExist }
{{- end -}}


{{- /* The client-facing ports as served: AMQP and management over TLS (tls.enabled) or plaintext, as a JSON dict of
amqp, management (numbers), amqpName, managementName (container port names) and scheme (of the management API). */}}
{{- define "rabbitmq.clientPorts" -}}
{{- $p := .Values.ports -}}
{{- if .Values.tls.enabled -}}
{{- dict "amqp" $p.amqps "management" $p.managementTls "amqpName" "amqps" "managementName" "management-tls" "scheme" "HTTPS" | toJson -}}
{{- else -}}
{{- dict "amqp" $p.amqp "management" $p.management "amqpName" "amqp" "managementName" "management" "scheme" "HTTP" | toJson -}}
{{- end -}}
{{- end -}}

{{- /* The one TLS profile of AMQP and the management API (Mozilla "intermediate", ECDHE only): TLS 1.3 and 1.2, and in
TLS 1.2 only ECDHE key exchange with AES-GCM or ChaCha20-Poly1305, the server's order first. ctx: the rabbitmq.conf key
prefix (ssl_options, management.ssl). */}}
{{- define "rabbitmq.tlsCiphers" -}}
{{- list "TLS_AES_256_GCM_SHA384" "TLS_AES_128_GCM_SHA256" "TLS_CHACHA20_POLY1305_SHA256" "ECDHE-ECDSA-AES256-GCM-SHA384" "ECDHE-RSA-AES256-GCM-SHA384" "ECDHE-ECDSA-AES128-GCM-SHA256" "ECDHE-RSA-AES128-GCM-SHA256" "ECDHE-ECDSA-CHACHA20-POLY1305" "ECDHE-RSA-CHACHA20-POLY1305" | toJson -}}
{{- end -}}
{{- define "rabbitmq.tlsProfile" -}}
{{ . }}.versions.1 = tlsv1.3
{{ . }}.versions.2 = tlsv1.2
{{- range $i, $c := include "rabbitmq.tlsCiphers" $ | fromJsonArray }}
{{ $ }}.ciphers.{{ add1 $i }} = {{ $c }}
{{- end }}
{{ . }}.honor_cipher_order = true
{{- end -}}

{{- /* The TLS options of the Erlang distribution (-ssl_dist_optfile), for the node's listener (server) and its
connections to peers and from the CLI tools (client): the Secret's certificate both ways, the peer verified against
ca.crt (and, dialling, its host name), the one TLS profile. */}}
{{- define "rabbitmq.distributionTlsConfig" -}}
{{- $ciphers := include "rabbitmq.tlsCiphers" . | fromJsonArray -}}
{{- $common := printf "{cacertfile, \"/etc/rabbitmq-tls/ca.crt\"}, {certfile, \"/etc/rabbitmq-tls/tls.crt\"}, {keyfile, \"/etc/rabbitmq-tls/tls.key\"}, {versions, ['tlsv1.3', 'tlsv1.2']}, {ciphers, [\"%s\"]}, {secure_renegotiate, true}, {verify, verify_peer}" (join "\", \"" $ciphers) -}}
[
  {server, [{{ $common }}, {fail_if_no_peer_cert, true}]},
  {client, [{{ $common }}]}
].
{{- end -}}
