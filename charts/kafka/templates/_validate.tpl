{{/*
Rules that span several values (a JSON schema cannot compare two values). Each failure says what to change.
Called from every workload template so `helm template`, `install` and `upgrade` all stop before rendering.
*/}}
{{- define "kafka.validate" -}}
{{- $c := .Values.config -}}
{{- $brokers := int .Values.brokers.replicas -}}
{{- $managed := list "node.id" "process.roles" "listeners" "advertised.listeners" "listener.security.protocol.map" "inter.broker.listener.name" "controller.listener.names" "controller.quorum.voters" "controller.quorum.bootstrap.servers" "log.dirs" "broker.rack" "sasl.enabled.mechanisms" "sasl.mechanism.inter.broker.protocol" "sasl.mechanism.controller.protocol" -}}
{{- range $k := $managed -}}
{{- if hasKey $c $k -}}
{{- fail (printf "config.%s is managed by the chart (see README, \"Keys the chart manages\"); remove it from config" $k) -}}
{{- end -}}
{{- end -}}
{{- $rf := int (get $c "default.replication.factor") -}}
{{- $minIsr := int (get $c "min.insync.replicas") -}}
{{- if lt $brokers $rf -}}
{{- fail (printf "brokers.replicas (%d) is smaller than config.default.replication.factor (%d): topics could not be created" $brokers $rf) -}}
{{- end -}}
{{- if and (gt $rf 1) (ge $minIsr $rf) -}}
{{- fail (printf "config.min.insync.replicas (%d) must be below config.default.replication.factor (%d), or a single broker outage stops every acks=all producer" $minIsr $rf) -}}
{{- end -}}
{{- if and (ge $rf 3) (lt $minIsr 2) -}}
{{- fail (printf "config.min.insync.replicas (%d) must be at least 2 when the replication factor is %d: with 1, an acknowledged write can live on a single disk" $minIsr $rf) -}}
{{- end -}}
{{- range $pair := list (list "offsets.topic.replication.factor" "") (list "transaction.state.log.replication.factor" "transaction.state.log.min.isr") (list "share.coordinator.state.topic.replication.factor" "share.coordinator.state.topic.min.isr") -}}
{{- $trf := int (get $c (index $pair 0)) -}}
{{- if lt $brokers $trf -}}
{{- fail (printf "brokers.replicas (%d) is smaller than config.%s (%d)" $brokers (index $pair 0) $trf) -}}
{{- end -}}
{{- if and (index $pair 1) (gt $trf 1) (ge (int (get $c (index $pair 1))) $trf) -}}
{{- fail (printf "config.%s must be below config.%s (%d)" (index $pair 1) (index $pair 0) $trf) -}}
{{- end -}}
{{- end -}}
{{- if and (eq .Values.kraft.mode "combined") (eq (mod $brokers 2) 0) -}}
{{- fail (printf "brokers.replicas (%d) must be odd in combined mode: every combined node is a KRaft voter" $brokers) -}}
{{- end -}}
{{- range $name := list "client" "internal" "controller" -}}
{{- $tls := (index $.Values.listeners $name).tls | default dict -}}
{{- if and $tls.enabled (not $tls.secretName) -}}
{{- fail (printf "listeners.%s.tls.enabled needs listeners.%s.tls.secretName (a kubernetes.io/tls Secret)" $name $name) -}}
{{- end -}}
{{- end -}}
{{- $ports := list (int .Values.listeners.client.port) (int .Values.listeners.internal.port) (int .Values.listeners.controller.port) -}}
{{- if ne (len ($ports | uniq)) 3 -}}
{{- fail "listeners.client.port, listeners.internal.port and listeners.controller.port must differ" -}}
{{- end -}}
{{- if and .Values.metrics.enabled (has (int .Values.metrics.port) $ports) -}}
{{- fail (printf "metrics.port (%d) is a listener port (listeners.*.port): the agent and Kafka cannot both bind it; pick another (9404 by default)" (int .Values.metrics.port)) -}}
{{- end -}}
{{- range $reserved := list (include "kafka.interBrokerUser" .) (include "kafka.controllerUser" .) -}}
{{- if has $reserved $.Values.auth.sasl.users -}}
{{- fail (printf "auth.sasl.users must not contain %s (reserved for the cluster's own connections)" $reserved) -}}
{{- end -}}
{{- end -}}
{{- $cb := int .Values.controllers.nodeIdBase -}}
{{- $ce := sub (add $cb (int .Values.controllers.replicas)) 1 -}}
{{- $bb := int .Values.brokers.nodeIdBase -}}
{{- if and (eq .Values.kraft.mode "dedicated") (le $bb $ce) (ge (add $bb $brokers) $cb) -}}
{{- fail (printf "controller node ids %d-%d overlap broker node ids from %d: move brokers.nodeIdBase above the controllers" $cb $ce $bb) -}}
{{- end -}}
{{- range $obj := list "podMonitor" "prometheusRule" -}}
{{- if and (index $.Values.metrics $obj).enabled (not $.Values.metrics.enabled) -}}
{{- fail (printf "metrics.%s.enabled needs metrics.enabled: without the agent there is nothing to scrape" $obj) -}}
{{- end -}}
{{- end -}}
{{- include "kafka.validateEphemeralStorage" . -}}
{{- include "kafka.validateScaling" . -}}
{{- include "kafka.validateQuorumTransition" . -}}
{{- end -}}

{{/*
Quorum transition guard, against the live cluster (lookup, as the scale guard): a node of a static quorum
(kraft.version 0) restarted with controller.quorum.bootstrap.servers dies ("Starting voters are VoterSet(voters={})"),
so static becomes dynamic only after kraft.version=1, which the operator confirms with kraft.staticQuorumUpgraded.
*/}}
{{- define "kafka.validateQuorumTransition" -}}
{{- if .Values.lookup.enabled -}}
{{- $name := printf "%s-config" (include "kafka.fullname" .) -}}
{{- $live := lookup "v1" "ConfigMap" .Release.Namespace $name -}}
{{- $text := "" -}}
{{- if $live -}}{{- $text = get ($live.data | default dict) "broker.properties" | default "" -}}{{- end -}}
{{- $static := contains "controller.quorum.voters=" $text -}}
{{- $dynamic := contains "controller.quorum.bootstrap.servers=" $text -}}
{{- if and $static (eq .Values.kraft.quorum "dynamic") (not .Values.kraft.staticQuorumUpgraded) -}}
{{- fail (printf "kraft.quorum is dynamic but the running cluster's quorum is static (controller.quorum.voters in ConfigMap %s): a static voter restarted with a dynamic configuration fails while kraft.version is 0. First run kafka-features.sh --bootstrap-controller <a voter>:%d upgrade --feature kraft.version=1, then set kraft.staticQuorumUpgraded=true (README \"From a static to a dynamic quorum\"); or set kraft.quorum=static" $name (int .Values.listeners.controller.port)) -}}
{{- end -}}
{{- if and $dynamic (eq .Values.kraft.quorum "static") -}}
{{- fail (printf "kraft.quorum is static but the running cluster's quorum is dynamic (controller.quorum.bootstrap.servers in ConfigMap %s): the chart does not turn a dynamic quorum back into a static one; keep kraft.quorum=dynamic" $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Ephemeral storage: each request within its limit, and the Kafka container's limit (the pod's, as the kubelet
sums it) covering the pod's emptyDirs and its stdout log, or the kubelet evicts a healthy broker. */}}
{{- define "kafka.validateEphemeralStorage" -}}
{{- $e := .Values.ephemeralStorage -}}
{{- range $name := list "kafka" "jmxExporterAgent" -}}
{{- $s := index $e $name -}}
{{- if gt (include "kafka.memoryBytes" $s.request | int64) (include "kafka.memoryBytes" $s.limit | int64) -}}
{{- fail (printf "ephemeralStorage.%s.request (%s) must not exceed ephemeralStorage.%s.limit (%s)" $name $s.request $name $s.limit) -}}
{{- end -}}
{{- end -}}
{{- $mi := 1048576 -}}
{{- $agentCopied := include "kafka.metricsAgentCopied" . | eq "true" -}}
{{- $jmx := ternary (mul 64 $mi) 0 $agentCopied -}}
{{- $hold := ternary $mi 0 .Values.holdDown.enabled -}}
{{- $need := add (include "kafka.memoryBytes" $e.kafka.tmpSizeLimit | int64) $jmx $hold (mul 50 $mi) -}}
{{- if lt (include "kafka.memoryBytes" $e.kafka.limit | int64) $need -}}
{{- fail (printf "ephemeralStorage.kafka.limit (%s) must cover the pod's /tmp (ephemeralStorage.kafka.tmpSizeLimit %s)%s%s and its 50Mi log, %dMi in all: the kubelet evicts a pod past its limit" $e.kafka.limit $e.kafka.tmpSizeLimit (ternary ", the JMX agent's 64Mi" "" $agentCopied) (ternary ", the hold-down hook's 1Mi" "" .Values.holdDown.enabled) (div $need $mi)) -}}
{{- end -}}
{{- end -}}

{{/*
Scale guard (Strimzi refuses to remove a broker that still holds replicas): against a live cluster, compare with the
running StatefulSets. `helm template` has no cluster, so lookup returns nothing and the check passes; with
lookup.enabled=false (renderers without a cluster) the check is skipped the same way.
*/}}
{{- define "kafka.validateScaling" -}}
{{- if .Values.lookup.enabled -}}
{{- $brokers := lookup "apps/v1" "StatefulSet" .Release.Namespace (include "kafka.brokerName" .) -}}
{{- if and $brokers (lt (int .Values.brokers.replicas) (int $brokers.spec.replicas)) (not .Values.brokers.allowScaleDown) -}}
{{- fail (printf "refusing to scale brokers down from %d to %d: reassign partitions off the highest broker ids first, then set brokers.allowScaleDown=true" (int $brokers.spec.replicas) (int .Values.brokers.replicas)) -}}
{{- end -}}
{{- if eq .Values.kraft.mode "dedicated" -}}
{{- $controllers := lookup "apps/v1" "StatefulSet" .Release.Namespace (include "kafka.controllerName" .) -}}
{{- if and $controllers (ne (int .Values.controllers.replicas) (int $controllers.spec.replicas)) -}}
{{- fail (printf "refusing to change controllers.replicas from %d to %d: the chart does not add or remove KRaft voters (kafka-metadata-quorum.sh add-controller / remove-controller)" (int $controllers.spec.replicas) (int .Values.controllers.replicas)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
