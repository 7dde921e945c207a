{{/*
The required values, the names and the API server's addresses, each with a sentence: `<key> = <value> <rule>` (the
ports' ranges are in values.schema.json). Called from every template that
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
{{- range $i, $a := $v.apiServer.addresses -}}
{{- if not (or (regexMatch "^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(/([0-9]|[12][0-9]|3[0-2]))?$" $a) (regexMatch "^[0-9a-fA-F]*:[0-9a-fA-F:]*(/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))?$" $a)) -}}
{{- fail (printf "apiServer.addresses[%d] = %q is not an IP address or CIDR (10.0.0.5, 10.0.0.0/28, fd00::1): an endpoint of the kubernetes Service, kubectl get endpointslice -n default kubernetes" $i $a) -}}
{{- end -}}
{{- end -}}
{{- $w := $v.workers -}}
{{- $number := or (kindIs "float64" $w) (kindIs "int64" $w) (kindIs "int" $w) -}}
{{- if not (and $number (eq (toString (int64 $w)) (toString $w)) (ge (int64 $w) 1) (le (int64 $w) 64)) -}}
{{- fail (printf "workers = %s must be an integer from 1 to 64: the gate's loads as this many workers (stack config gate.workers; above 1 an Indexed Job)" (toJson $w)) -}}
{{- end -}}
{{- if not $v.runId -}}
{{- fail "runId = \"\" is required: a new value for every deploy that changes the brokers (the Job is <fullname>-<runId>, and a finished Job never runs again)" -}}
{{- end -}}
{{- if or (gt (len $v.runId) 20) (not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $v.runId)) -}}
{{- fail (printf "runId = %q must match [a-z0-9]([-a-z0-9]*[a-z0-9])? and be at most 20 characters: it ends the Job name" $v.runId) -}}
{{- end -}}
{{- end -}}
