{{- /* Properties every node shares: quorum, controller listener identity, storage and values.yaml config. */}}
{{- define "kafka.commonProperties" }}
node.id=@NODE_ID@
controller.quorum.voters={{ include "kafka.quorumVoters" . }}
controller.listener.names=CONTROLLER
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="{{ include "kafka.controllerUser" . }}" password="@CONTROLLER_PASSWORD@" user_{{ include "kafka.controllerUser" . }}="@CONTROLLER_PASSWORD@";
log.dirs=/var/lib/kafka/data/log
# --- values.yaml config ---
{{- range $k, $v := .Values.config }}
{{ $k }}={{ include "kafka.propValue" $v }}
{{- end }}
{{- end }}
