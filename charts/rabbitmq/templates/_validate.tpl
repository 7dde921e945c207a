{{/*
Rules that span several values, or need a sentence to explain. Each failure says what to change.
Called from every workload template so `helm template`, `install` and `upgrade` all stop before rendering.
*/}}
{{- define "rabbitmq.validate" -}}
{{- $c := .Values.config -}}
{{- $replicas := int .Values.replicas -}}
{{- range $k := list "cluster_name" "cluster_formation.peer_discovery_backend" "cluster_formation.target_cluster_size_hint" "listeners.tcp.default" "listeners.tcp" "listeners.ssl.default" "management.tcp.port" "management.ssl.port" "prometheus.tcp.port" "default_user" "default_pass" -}}
{{- if hasKey $c $k -}}
{{- fail (printf "config.%s is managed by the chart (see README, \"Keys the chart manages\"); remove it from config" $k) -}}
{{- end -}}
{{- end -}}
{{- range $k, $_ := $c -}}
{{- if or (hasPrefix "cluster_partition_handling" $k) (eq $k "queue_master_locator") (hasPrefix "cluster_formation.k8s." $k) (hasPrefix "mnesia" $k) -}}
{{- fail (printf "config.%s is stale on RabbitMQ 4.3 (no effect, or denied by default since Mnesia and deprecated features were removed); remove it" $k) -}}
{{- end -}}
{{- end -}}
{{- range $k, $_ := $c -}}
{{- if or (hasPrefix "ssl_options." $k) (hasPrefix "management.ssl." $k) -}}
{{- fail (printf "config.%s is managed by the chart (tls.*: the certificate and the one TLS profile of every listener); remove it from config" $k) -}}
{{- end -}}
{{- end -}}
{{- if eq .Values.auth.username "guest" -}}
{{- fail "auth.username must not be guest: guest may only log in from localhost; pick another default user name" -}}
{{- end -}}
{{- $initial := int (get $c "quorum_queue.initial_cluster_size") -}}
{{- if gt $initial $replicas -}}
{{- fail (printf "config.quorum_queue.initial_cluster_size (%d) is larger than replicas (%d): quorum queues would be under-replicated from the start" $initial $replicas) -}}
{{- end -}}
{{- if and (gt $replicas 1) (lt $initial 3) -}}
{{- fail (printf "config.quorum_queue.initial_cluster_size (%d) must be at least 3 on a %d-node cluster: a quorum queue with fewer members cannot lose a node" $initial $replicas) -}}
{{- end -}}
{{- if not (or (hasKey $c "disk_free_limit.absolute") (hasKey $c "disk_free_limit.relative")) -}}
{{- fail "config needs disk_free_limit.absolute (or disk_free_limit.relative): without it the 50MB default lets a node fill its disk" -}}
{{- end -}}
{{- if ne (get $c "default_queue_type") "quorum" -}}
{{- fail (printf "config.default_queue_type must be quorum (got %v): classic queues are not replicated in RabbitMQ 4.x" (get $c "default_queue_type")) -}}
{{- end -}}
{{- range $p := list "rabbitmq_management" "rabbitmq_prometheus" "rabbitmq_peer_discovery_k8s" -}}
{{- if not (has $p $.Values.plugins) -}}
{{- fail (printf "plugins must include %s (health checks, metrics and peer discovery depend on it)" $p) -}}
{{- end -}}
{{- end -}}
{{- $p := .Values.ports -}}
{{- if ne (len (list (int $p.amqp) (int $p.management) (int $p.prometheus) (int $p.epmd) (int $p.dist) (int $p.amqps) (int $p.managementTls) | uniq)) 7 -}}
{{- fail "ports.amqp, ports.management, ports.prometheus, ports.epmd, ports.dist, ports.amqps and ports.managementTls must all differ" -}}
{{- end -}}
{{- if and .Values.tls.distribution (not .Values.tls.enabled) -}}
{{- fail "tls.distribution needs tls.enabled (the distribution uses the same Secret and TLS profile)" -}}
{{- end -}}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) -}}
{{- fail "tls.enabled needs tls.secretName (a kubernetes.io/tls Secret with ca.crt)" -}}
{{- end -}}
{{- $e := .Values.ephemeralStorage -}}
{{- range $name := list "rabbitmq" "setup" -}}
{{- $s := index $e $name -}}
{{- if gt (include "rabbitmq.memoryBytes" $s.request | int64) (include "rabbitmq.memoryBytes" $s.limit | int64) -}}
{{- fail (printf "ephemeralStorage.%s.request (%s) must not exceed ephemeralStorage.%s.limit (%s)" $name $s.request $name $s.limit) -}}
{{- end -}}
{{- end -}}
{{- $mi := 1048576 -}}
{{- $hold := ternary $mi 0 .Values.holdDown.enabled -}}
{{- $need := add (include "rabbitmq.memoryBytes" $e.rabbitmq.tmpSizeLimit | int64) (include "rabbitmq.memoryBytes" $e.rabbitmq.logsSizeLimit | int64) $hold (mul 82 $mi) -}}
{{- if lt (include "rabbitmq.memoryBytes" $e.rabbitmq.limit | int64) $need -}}
{{- fail (printf "ephemeralStorage.rabbitmq.limit (%s) must cover the pod's /tmp (tmpSizeLimit %s), /var/log/rabbitmq (logsSizeLimit %s), cookie and config (32Mi)%s and its 50Mi log, %dMi in all: the kubelet evicts a pod past its limit" $e.rabbitmq.limit $e.rabbitmq.tmpSizeLimit $e.rabbitmq.logsSizeLimit (ternary ", the hold-down hook's 1Mi" "" .Values.holdDown.enabled) (div $need $mi)) -}}
{{- end -}}
{{- $existing := dict -}}
{{- if .Values.lookup.enabled -}}
{{- $existing = lookup "apps/v1" "StatefulSet" .Release.Namespace (include "rabbitmq.fullname" .) -}}
{{- end -}}
{{- if and $existing (lt $replicas (int $existing.spec.replicas)) (not .Values.allowScaleDown) -}}
{{- fail (printf "refusing to scale RabbitMQ down from %d to %d: run rabbitmqctl forget_cluster_node for each removed node and delete its PVC, then set allowScaleDown=true" (int $existing.spec.replicas) $replicas) -}}
{{- end -}}
{{- end -}}
