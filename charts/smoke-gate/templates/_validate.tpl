{{/*
The required values and the names, each with a sentence: `<key> = <value> <rule>`. Called from every template that
uses them, so `helm template`, `install` and `upgrade` all stop before rendering.
*/}}
{{- define "smoke-gate.validate" -}}
{{- $v := .Values -}}
{{- if not $v.target.existingSecret -}}
{{- fail "target.existingSecret = \"\" is required: the name of the Secret (in the release namespace) that holds the target JSON the Pulumi program writes" -}}
{{- end -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" $v.target.existingSecret) -}}
{{- fail (printf "target.existingSecret = %q is not a Secret name (lowercase letters, digits, '-' and '.')" $v.target.existingSecret) -}}
{{- end -}}
{{- range $system := list "kafka" "rabbitmq" -}}
{{- $ns := index $v.brokerNamespaces $system -}}
{{- if not $ns -}}
{{- fail (printf "brokerNamespaces.%s = \"\" is required: the namespace of the %s brokers, where the gate may delete pods and isolate them" $system (ternary "Kafka" "RabbitMQ" (eq $system "kafka"))) -}}
{{- end -}}
{{- if or (gt (len $ns) 63) (not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $ns)) -}}
{{- fail (printf "brokerNamespaces.%s = %q is not a namespace name (a DNS label: lowercase letters, digits and '-', at most 63 characters)" $system $ns) -}}
{{- end -}}
{{- end -}}
{{- if not $v.runId -}}
{{- fail "runId = \"\" is required: a new value for every deploy that changes the brokers (the Job is <fullname>-<runId>, and a finished Job never runs again)" -}}
{{- end -}}
{{- if or (gt (len $v.runId) 20) (not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $v.runId)) -}}
{{- fail (printf "runId = %q must match [a-z0-9]([-a-z0-9]*[a-z0-9])? and be at most 20 characters: it ends the Job name" $v.runId) -}}
{{- end -}}
{{- end -}}
