{{/*
What spans several values, and the rule files, each with a sentence: `<key> = <value> <rule>` (shapes and ranges are
in values.schema.json). Called from every template, so `helm template`, `install` and `upgrade` all stop before
rendering.
*/}}
{{- define "prometheus.validate" -}}
{{- $v := .Values -}}
{{- if not (or $v.kafka.enabled $v.rabbitmq.enabled) -}}
{{- fail "kafka.enabled = false and rabbitmq.enabled = false: nothing to scrape; enable at least one" -}}
{{- end -}}
{{- if and $v.kafka.enabled $v.rabbitmq.enabled (eq (int $v.kafka.port) (int $v.rabbitmq.port)) (eq $v.kafka.portName $v.rabbitmq.portName) -}}
{{- fail (printf "rabbitmq.port = %v and rabbitmq.portName = %q are also Kafka's: each system's metrics port must differ from the other's by number or name, or one job would scrape the other's pods" $v.rabbitmq.port $v.rabbitmq.portName) -}}
{{- end -}}
{{- if gt (include "prometheus.seconds" $v.scrape.timeout | int) (include "prometheus.seconds" $v.scrape.interval | int) -}}
{{- fail (printf "scrape.timeout = %q is longer than scrape.interval = %q: a scrape must end before the next begins" $v.scrape.timeout $v.scrape.interval) -}}
{{- end -}}
{{- range $name, $text := $v.alertRules -}}
{{- $rules := $text | toString | fromYaml -}}
{{- if hasKey $rules "Error" -}}
{{- fail (printf "alertRules.%s is not YAML (%s): pass a Prometheus rule file, e.g. --set-file alertRules.%s=charts/<chart>/files/alerts.yaml" $name $rules.Error $name) -}}
{{- end -}}
{{- if not $rules.groups -}}
{{- fail (printf "alertRules.%s has no groups: a Prometheus rule file starts with `groups:`" $name) -}}
{{- end -}}
{{- end -}}
{{- range $i, $a := $v.apiServer.addresses -}}
{{- if not (or (regexMatch "^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(/([0-9]|[12][0-9]|3[0-2]))?$" $a) (regexMatch "^[0-9a-fA-F]*:[0-9a-fA-F:]*(/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))?$" $a)) -}}
{{- fail (printf "apiServer.addresses[%d] = %q is not an IP address or CIDR (10.0.0.5, 10.0.0.0/28, fd00::1): an endpoint of the kubernetes Service, kubectl get endpointslice -n default kubernetes" $i $a) -}}
{{- end -}}
{{- end -}}
{{- end -}}
