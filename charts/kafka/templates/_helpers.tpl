{{/* Names, labels and derived values. Every name is declared here once and reused by the templates. */}}

{{- define "kafka.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kafka.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains (include "kafka.name" .) .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "kafka.name" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kafka.controllerName" -}}{{ include "kafka.fullname" . }}-controller{{- end -}}
{{- define "kafka.brokerName" -}}{{ include "kafka.fullname" . }}-broker{{- end -}}
{{- define "kafka.headlessName" -}}{{ . }}-headless{{- end -}}
{{- define "kafka.clusterIdSecretName" -}}
{{- default (printf "%s-cluster-id" (include "kafka.fullname" .)) .Values.kraft.existingClusterIdSecret -}}
{{- end -}}
{{- define "kafka.usersSecretName" -}}
{{- default (printf "%s-users" (include "kafka.fullname" .)) .Values.auth.sasl.existingSecret -}}
{{- end -}}
{{- define "kafka.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "kafka.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{/* The two fixed SASL identities the cluster uses internally, next to the client users. */}}
{{- define "kafka.interBrokerUser" -}}inter-broker{{- end -}}
{{- define "kafka.controllerUser" -}}controller{{- end -}}

{{- define "kafka.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kafka.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kafka.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "kafka.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kafka
{{- end -}}

{{/* Selector labels of one pool; ctx = dict "root" $ "component" "broker"|"controller". */}}
{{- define "kafka.poolSelectorLabels" -}}
{{ include "kafka.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kafka.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/* Kubernetes memory quantity -> bytes (integer). */}}
{{- define "kafka.memoryBytes" -}}
{{- $q := toString . -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $unit := trimPrefix $num $q -}}
{{- $factors := dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 -}}
{{- if not (hasKey $factors $unit) -}}{{- fail (printf "memory quantity %q: unsupported unit %q" $q $unit) -}}{{- end -}}
{{- mulf (float64 $num) (get $factors $unit) | floor | int64 -}}
{{- end -}}

{{/* KAFKA_HEAP_OPTS for a container's resources: heap.size, or a share of limits.memory. */}}
{{- define "kafka.heapOpts" -}}
{{- $heap := .root.Values.heap -}}
{{- if $heap.size -}}
-Xms{{ $heap.size }} -Xmx{{ $heap.size }}
{{- else -}}
{{- $mib := div (include "kafka.memoryBytes" .resources.limits.memory | int64) 1048576 -}}
{{- $size := div (mul $mib (int64 $heap.percentOfMemoryLimit)) 100 -}}
-Xms{{ $size }}m -Xmx{{ $size }}m
{{- end -}}
{{- end -}}

{{/* A server.properties value: whole numbers without an exponent (YAML numbers arrive as float64), booleans lower-case. */}}
{{- define "kafka.propValue" -}}
{{- if kindIs "float64" . -}}
{{- if eq (float64 (int64 .)) . -}}{{ int64 . }}{{- else -}}{{ . }}{{- end -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/* The pool whose nodes are KRaft voters: the controllers (dedicated) or the combined nodes. */}}
{{- define "kafka.voterPool" -}}
{{- if eq .Values.kraft.mode "dedicated" -}}
{{- dict "name" (include "kafka.controllerName" .) "replicas" .Values.controllers.replicas "nodeIdBase" .Values.controllers.nodeIdBase | toJson -}}
{{- else -}}
{{- dict "name" (include "kafka.brokerName" .) "replicas" .Values.brokers.replicas "nodeIdBase" .Values.brokers.nodeIdBase | toJson -}}
{{- end -}}
{{- end -}}

{{/* The voters as installed, id@host:port each: controller.quorum.voters of a static quorum, and the initial voter
set a dynamic quorum is formatted with on day 1 (launch.sh appends each voter's directory id). */}}
{{- define "kafka.quorumVoters" -}}
{{- $pool := include "kafka.voterPool" . | fromJson -}}
{{- $voters := list -}}
{{- range $i := until (int $pool.replicas) -}}
{{- $host := printf "%s-%d.%s.%s.svc.%s" $pool.name $i (include "kafka.headlessName" $pool.name) $.Release.Namespace $.Values.clusterDomain -}}
{{- $voters = append $voters (printf "%d@%s:%d" (add (int $pool.nodeIdBase) $i) $host (int $.Values.listeners.controller.port)) -}}
{{- end -}}
{{- join "," $voters -}}
{{- end -}}

{{/* Dynamic quorum: controller.quorum.bootstrap.servers, host:port of every voter (the voter set itself is in the
metadata log). */}}
{{- define "kafka.quorumBootstrapServers" -}}
{{- $servers := list -}}
{{- range $v := splitList "," (include "kafka.quorumVoters" .) -}}
{{- $servers = append $servers (regexReplaceAll "^[0-9]+@" $v "") -}}
{{- end -}}
{{- join "," $servers -}}
{{- end -}}

{{/* Names of every SCRAM user created at format time. */}}
{{- define "kafka.scramUsers" -}}
{{- join " " (prepend .Values.auth.sasl.users (include "kafka.interBrokerUser" .)) -}}
{{- end -}}

{{- /* The label the drills' isolate fault puts on a pod (contract/fault-labels.ts): a pod carrying it is selected by
no allow policy of this chart, only by the fault's deny-all. */}}
{{- define "kafka.notIsolated" -}}
{ key: messaging-platform.io/isolated, operator: DoesNotExist }
{{- end -}}


{{- /* The TLS listeners whose Secret a pod mounts, as a JSON list: brokers (and combined nodes) serve client and
internal; every node speaks to the quorum (controllers serve it, brokers dial it), so every node mounts the
controller's. ctx: root, probeRole. */}}
{{- define "kafka.tlsListeners" -}}
{{- $l := .root.Values.listeners -}}
{{- $names := list -}}
{{- if eq .probeRole "broker" -}}
{{- range $name := list "client" "internal" -}}
{{- if (index $l $name).tls.enabled -}}{{- $names = append $names $name -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- if $l.controller.tls.enabled -}}{{- $names = append $names "controller" -}}{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{- /* Egress to the cluster DNS pods only (UDP and TCP 53): the pods resolve their peers' headless-Service names. */}}
{{- define "kafka.dnsEgress" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.networkPolicy.dns.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml .Values.networkPolicy.dns.podLabels | nindent 10 }}
  ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- end -}}

{{- /* "true" when an init container copies the JMX exporter agent in from metrics.agent.image (the official
apache/kafka image has none); otherwise the agent is expected in the Kafka image itself at metrics.agent.path. */}}
{{- define "kafka.metricsAgentCopied" -}}
{{- and .Values.metrics.enabled (ne .Values.metrics.agent.image.repository "") -}}
{{- end -}}
