{{- /* Properties every node shares: quorum, controller listener identity, storage and values.yaml config. */}}
{{- define "kafka.commonProperties" }}
node.id=@NODE_ID@
{{- if eq .Values.kraft.quorum "static" }}
controller.quorum.voters={{ include "kafka.quorumVoters" . }}
{{- else }}
controller.quorum.bootstrap.servers={{ include "kafka.quorumBootstrapServers" . }}
{{- end }}
controller.listener.names=CONTROLLER
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="{{ include "kafka.controllerUser" . }}" password="@CONTROLLER_PASSWORD@" user_{{ include "kafka.controllerUser" . }}="@CONTROLLER_PASSWORD@";
{{- include "kafka.listenerTls" (dict "name" "controller" "tls" .Values.listeners.controller.tls "trust" true) }}
log.dirs=/var/lib/kafka/data/log
# --- values.yaml config ---
{{- range $k, $v := .Values.config }}
{{ $k }}={{ include "kafka.propValue" $v }}
{{- end }}
{{- end }}

{{- /* A listener's TLS keys (server.properties): its PEM keystore, built by launch.sh from the listener's Secret, and
for the listeners brokers also connect to as clients (internal, controller) the Secret's CA as the truststore. The
listener prefix applies to both sides of a connection, so a broker dialling its peers trusts exactly that CA and checks
their host names (ssl.endpoint.identification.algorithm defaults to https). ctx: name, tls, trust. */}}
{{- define "kafka.listenerTls" }}
{{- if .tls.enabled }}
listener.name.{{ .name }}.ssl.enabled.protocols={{ include "kafka.tlsProtocols" . }}
listener.name.{{ .name }}.ssl.cipher.suites={{ include "kafka.tlsCipherSuites" . }}
listener.name.{{ .name }}.ssl.keystore.type=PEM
listener.name.{{ .name }}.ssl.keystore.location=/tmp/kafka/tls-{{ .name }}.pem
{{- if .trust }}
listener.name.{{ .name }}.ssl.truststore.type=PEM
listener.name.{{ .name }}.ssl.truststore.location=/etc/kafka/tls/{{ .name }}/ca.crt
{{- end }}
{{- end }}
{{- end }}

{{- /* The one TLS profile of every listener (Mozilla "intermediate", ECDHE only): TLS 1.3 and 1.2, and in TLS 1.2 only
ECDHE key exchange with AES-GCM or ChaCha20-Poly1305. The JVM's defaults also accept CBC-mode and DHE suites. The TLS
1.3 suites are listed too: a JVM offers a protocol only when one of its suites is enabled. */}}
{{- define "kafka.tlsProtocols" -}}TLSv1.3,TLSv1.2{{- end -}}
{{- define "kafka.tlsCipherSuites" -}}
{{- join "," (list "TLS_AES_128_GCM_SHA256" "TLS_AES_256_GCM_SHA384" "TLS_CHACHA20_POLY1305_SHA256" "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256") -}}
{{- end -}}

{{- /* Controller-role nodes of a dynamic quorum: one whose node id is a voter's but whose directory id is not (a blank
disk) removes the stale voter and adds itself (KAFKA-19078, Kafka 4.2+), so replacing a lost disk needs no operator. */}}
{{- define "kafka.controllerQuorumProperties" }}
{{- if eq .Values.kraft.quorum "dynamic" }}
controller.quorum.auto.join.enable=true
{{- end }}
{{- end }}
