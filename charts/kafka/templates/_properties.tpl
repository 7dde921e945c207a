{{- /* Properties every node shares: quorum, controller listener identity, storage and values.yaml config. */}}
{{- define "kafka.commonProperties" }}
node.id=@NODE_ID@
controller.quorum.voters={{ include "kafka.quorumVoters" . }}
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
listener.name.{{ .name }}.ssl.keystore.type=PEM
listener.name.{{ .name }}.ssl.keystore.location=/tmp/kafka/tls-{{ .name }}.pem
{{- if .trust }}
listener.name.{{ .name }}.ssl.truststore.type=PEM
listener.name.{{ .name }}.ssl.truststore.location=/etc/kafka/tls/{{ .name }}/ca.crt
{{- end }}
{{- end }}
{{- end }}
