{{/*
One KRaft pool as a StatefulSet. ctx: root, component (controller|broker), name, replicas, nodeIdBase, resources,
storage, propertiesRole (which server.properties template), probeRole (broker|controller readiness gate).
Both pools share this one definition so they cannot drift apart.
*/}}
{{- define "kafka.statefulset" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $selector := include "kafka.poolSelectorLabels" (dict "root" $root "component" .component) -}}
{{- $headless := include "kafka.headlessName" .name -}}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "kafka.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  replicas: {{ .replicas }}
  serviceName: {{ $headless }}
  # Parallel start: a KRaft quorum needs a majority of its voters up before any of them is Ready.
  podManagementPolicy: Parallel
  # Rolling updates still replace one pod at a time and wait for its readiness gate before the next.
  updateStrategy:
    type: RollingUpdate
  # Data volumes outlive the release and scale-downs (Strimzi deleteClaim: false).
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  selector:
    matchLabels:
      {{- $selector | nindent 6 }}
  template:
    metadata:
      labels:
        {{- $selector | nindent 8 }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        # Roll the pods when their configuration changes.
        checksum/config: {{ include (print $root.Template.BasePath "/configmap-config.yaml") $root | sha256sum }}
        checksum/scripts: {{ include (print $root.Template.BasePath "/configmap-scripts.yaml") $root | sha256sum }}
        {{- if $v.metrics.enabled }}
        checksum/metrics: {{ include (print $root.Template.BasePath "/configmap-metrics.yaml") $root | sha256sum }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $v.metrics.port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "kafka.serviceAccountName" $root }}
      # The broker is then not PID 1 of its PID namespace, which ignores SIGKILL sent from inside it: a hard kill by
      # exec (the drills' kill fault, smoke-tests/faults/kubernetes.ts) really kills it, with no graceful shutdown.
      shareProcessNamespace: true
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      {{- with $v.scheduling.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $v.scheduling.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.scheduling.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        # appuser of the apache/kafka image
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 1000
        fsGroupChangePolicy: OnRootMismatch
        seccompProfile:
          type: RuntimeDefault
      affinity:
        podAntiAffinity:
          {{- if eq $v.scheduling.hostAntiAffinity "required" }}
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  {{- $selector | nindent 18 }}
          {{- else }}
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- $selector | nindent 20 }}
          {{- end }}
      {{- if $v.scheduling.zoneSpread.enabled }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: {{ $v.scheduling.zoneSpread.topologyKey }}
          whenUnsatisfiable: {{ $v.scheduling.zoneSpread.whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- $selector | nindent 14 }}
      {{- end }}
      {{- if eq (include "kafka.metricsAgentCopied" $root) "true" }}
      initContainers:
        # The agent jar from metrics.agent.image into the emptyDir where the Kafka container expects it.
        - name: jmx-exporter-agent
          image: {{ $v.metrics.agent.image.repository }}:{{ $v.metrics.agent.image.tag }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          command: ["cp", {{ $v.metrics.agent.image.jarPath | quote }}, {{ $v.metrics.agent.path | quote }}]
          resources:
            requests: { cpu: 10m, memory: 32Mi, ephemeral-storage: {{ $v.ephemeralStorage.jmxExporterAgent.request }} }
            limits: { cpu: 100m, memory: 64Mi, ephemeral-storage: {{ $v.ephemeralStorage.jmxExporterAgent.limit }} }
          securityContext:
            {{- include "kafka.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            - { name: jmx-exporter, mountPath: {{ dir $v.metrics.agent.path }} }
      {{- end }}
      containers:
        - name: kafka
          image: {{ include "kafka.image" $root }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          {{- if $v.holdDown.enabled }}
          # Through the drills' hold-down hook (holdDown in values.yaml): launch.sh runs once no marker holds it.
          command: ["/bin/sh", "/opt/kafka-chart/scripts/hold-down.sh", "/bin/sh", "/opt/kafka-chart/scripts/launch.sh"]
          {{- else }}
          command: ["/bin/sh", "/opt/kafka-chart/scripts/launch.sh"]
          {{- end }}
          env:
            - name: POD_NAME
              valueFrom: { fieldRef: { fieldPath: metadata.name } }
            - name: POD_NAMESPACE
              valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
            - { name: KAFKA_ROLE, value: {{ .propertiesRole }} }
            - { name: PROBE_ROLE, value: {{ .probeRole }} }
            - { name: NODE_ID_BASE, value: {{ .nodeIdBase | quote }} }
            - { name: HEADLESS_SERVICE, value: {{ $headless }} }
            - { name: CLUSTER_DOMAIN, value: {{ $v.clusterDomain }} }
            - { name: INTERNAL_PORT, value: {{ $v.listeners.internal.port | quote }} }
            - { name: CONTROLLER_PORT, value: {{ $v.listeners.controller.port | quote }} }
            - { name: MAX_LAG, value: {{ $v.probes.readiness.controllerMaxLag | quote }} }
            - { name: RACK_ENABLED, value: {{ and $v.rack.enabled (eq .component "broker") | quote }} }
            - { name: RACK_LABEL, value: {{ $v.rack.topologyKey }} }
            - { name: SCRAM_USERS, value: {{ include "kafka.scramUsers" $root | quote }} }
            # How launch.sh formats a blank log dir (kraft.quorum, kraft.formatProbe): the voters as installed, id@host:port.
            - { name: QUORUM, value: {{ $v.kraft.quorum }} }
            - { name: CONTROLLER_ROLE, value: {{ or (eq .component "controller") (eq $v.kraft.mode "combined") | quote }} }
            - { name: QUORUM_VOTERS, value: {{ include "kafka.quorumVoters" $root | quote }} }
            - { name: FORMAT_PROBE_ATTEMPTS, value: {{ $v.kraft.formatProbe.attempts | quote }} }
            - { name: FORMAT_PROBE_TIMEOUT, value: {{ $v.kraft.formatProbe.timeoutSeconds | quote }} }
            - { name: FORMAT_PROBE_INTERVAL, value: {{ $v.kraft.formatProbe.intervalSeconds | quote }} }
            - { name: KAFKA_HEAP_OPTS, value: {{ include "kafka.heapOpts" (dict "root" $root "resources" .resources) | quote }} }
            - { name: LOG_DIR, value: /tmp/kafka/logs }
            - { name: KAFKA_LOG4J_OPTS, value: "-Dlog4j2.configurationFile=file:/etc/kafka/config/log4j2.yaml" }
            {{- if $v.metrics.enabled }}
            # Read by launch.sh, which attaches the agent to the Kafka JVM it starts, and to nothing else. Never
            # KAFKA_OPTS here: every JVM kafka-run-class.sh starts in the pod (kubectl exec kafka-topics.sh...) would
            # load the agent and fail to bind this port.
            - { name: METRICS_PORT, value: {{ $v.metrics.port | quote }} }
            - { name: METRICS_AGENT, value: {{ $v.metrics.agent.path | quote }} }
            {{- end }}
          ports:
            {{- if eq .probeRole "broker" }}
            - { name: client, containerPort: {{ $v.listeners.client.port }} }
            - { name: internal, containerPort: {{ $v.listeners.internal.port }} }
            {{- end }}
            {{- if or (eq .component "controller") (eq $v.kraft.mode "combined") }}
            - { name: controller, containerPort: {{ $v.listeners.controller.port }} }
            {{- end }}
            {{- if $v.metrics.enabled }}
            - { name: tcp-prometheus, containerPort: {{ $v.metrics.port }} }
            {{- end }}
          # While a drill holds the node down (holdDown) no listener opens: the pod is not Ready, and after the startup
          # probe's period x failureThreshold the kubelet restarts the container, which starts held again (the marker is on
          # the pod's emptyDir, not in the container). Liveness runs only once startup succeeded: never while held.
          startupProbe:
            tcpSocket:
              port: {{ ternary "client" "controller" (eq .probeRole "broker") }}
            periodSeconds: {{ $v.probes.startup.periodSeconds }}
            failureThreshold: {{ $v.probes.startup.failureThreshold }}
          readinessProbe:
            exec:
              command: ["/bin/sh", "/opt/kafka-chart/scripts/{{ .probeRole }}-ready.sh"]
            periodSeconds: {{ $v.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $v.probes.readiness.failureThreshold }}
          livenessProbe:
            tcpSocket:
              port: {{ ternary "internal" "controller" (eq .probeRole "broker") }}
            periodSeconds: {{ $v.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $v.probes.liveness.failureThreshold }}
          resources:
            {{- include "kafka.withEphemeralStorage" (dict "resources" .resources "storage" $v.ephemeralStorage.kafka) | nindent 12 }}
          securityContext:
            {{- include "kafka.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            - { name: data, mountPath: /var/lib/kafka/data }
            - { name: tmp, mountPath: /tmp }
            - { name: config, mountPath: /etc/kafka/config, readOnly: true }
            - { name: scripts, mountPath: /opt/kafka-chart/scripts, readOnly: true }
            - { name: users, mountPath: /etc/kafka/users, readOnly: true }
            - { name: cluster-id, mountPath: /etc/kafka/cluster-id, readOnly: true }
            {{- if $v.holdDown.enabled }}
            - { name: hold-down, mountPath: /run/hold-down }
            {{- end }}
            {{- if and $v.rack.enabled (eq .component "broker") }}
            - { name: podinfo, mountPath: /etc/podinfo, readOnly: true }
            {{- end }}
            {{- range $name := include "kafka.tlsListeners" (dict "root" $root "probeRole" .probeRole) | fromJsonArray }}
            - { name: tls-{{ $name }}, mountPath: /etc/kafka/tls/{{ $name }}, readOnly: true }
            {{- end }}
            {{- if $v.metrics.enabled }}
            - { name: metrics-config, mountPath: /opt/kafka-chart/metrics, readOnly: true }
            {{- end }}
            {{- if eq (include "kafka.metricsAgentCopied" $root) "true" }}
            - { name: jmx-exporter, mountPath: {{ dir $v.metrics.agent.path }}, readOnly: true }
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: { sizeLimit: {{ $v.ephemeralStorage.kafka.tmpSizeLimit }} }
        {{- if $v.holdDown.enabled }}
        # The drills' hold-down marker (holdDown in values.yaml): an emptyDir outlives the container's restarts, not the
        # pod, so deleting the pod releases a held node too. One empty file: 1Mi is plenty.
        - name: hold-down
          emptyDir: { sizeLimit: 1Mi }
        {{- end }}
        - name: config
          configMap: { name: {{ include "kafka.fullname" $root }}-config }
        - name: scripts
          configMap: { name: {{ include "kafka.fullname" $root }}-scripts, defaultMode: 0555 }
        # Secrets as files of mode 0400 (256: one spelling for YAML 1.1 and 1.2; the kubelet adds read for the pod's own
        # fsGroup), never as environment variables.
        - name: users
          secret:
            secretName: {{ include "kafka.usersSecretName" $root }}
            defaultMode: 256
        - name: cluster-id
          secret:
            secretName: {{ include "kafka.clusterIdSecretName" $root }}
            items: [{ key: cluster-id, path: cluster-id }]
            defaultMode: 256
        {{- if and $v.rack.enabled (eq .component "broker") }}
        - name: podinfo
          downwardAPI:
            items:
              - path: labels
                fieldRef: { fieldPath: metadata.labels }
        {{- end }}
        {{- range $name := include "kafka.tlsListeners" (dict "root" $root "probeRole" .probeRole) | fromJsonArray }}
        - name: tls-{{ $name }}
          secret:
            secretName: {{ (index $v.listeners $name).tls.secretName }}
            defaultMode: 256
        {{- end }}
        {{- if $v.metrics.enabled }}
        - name: metrics-config
          configMap: { name: {{ include "kafka.fullname" $root }}-metrics }
        {{- end }}
        {{- if eq (include "kafka.metricsAgentCopied" $root) "true" }}
        - name: jmx-exporter
          emptyDir: { sizeLimit: 64Mi }
        {{- end }}
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          {{- $selector | nindent 10 }}
      spec:
        accessModes: ["ReadWriteOnce"]
        {{- with .storage.storageClassName }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ .storage.size }}
{{- end -}}

{{- define "kafka.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}


{{- /* A container's resources with its ephemeral-storage request and limit added. ctx: resources, storage. */}}
{{- define "kafka.withEphemeralStorage" -}}
{{- $r := deepCopy .resources -}}
{{- $_ := set $r "requests" (merge (dict "ephemeral-storage" .storage.request) (deepCopy ($r.requests | default dict))) -}}
{{- $_ := set $r "limits" (merge (dict "ephemeral-storage" .storage.limit) (deepCopy ($r.limits | default dict))) -}}
{{- toYaml $r -}}
{{- end -}}
