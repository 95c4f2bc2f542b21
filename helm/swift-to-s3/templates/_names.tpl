{{/* The names of every object the chart makes, and of the objects it refers to. Nothing here is random or
time-based: rendering twice gives the same bytes (Argo CD renders with helm template). */}}

{{/* The chart name, for app.kubernetes.io/name. */}}
{{- define "swift-to-s3.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Base name of every object: the release name. Kept to 40 characters so that <fullname>-verify-<run>-<index>
still fits a 63-character pod host name. */}}
{{- define "swift-to-s3.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- end }}

{{- define "swift-to-s3.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "swift-to-s3.jobName" -}}
{{- printf "%s-%s-%s" (include "swift-to-s3.fullname" .) .Values.mode (include "swift-to-s3.run" .) }}
{{- end }}

{{/* The CronJob's name: at most 52 characters, so that the Jobs it names <cronjob>-<minutes> fit 63. */}}
{{- define "swift-to-s3.cronJobName" -}}
{{- printf "%s-%s" (include "swift-to-s3.fullname" .) .Values.mode }}
{{- end }}

{{/* The Secret holding the Swift credentials: the user's, or the one this chart makes from values. */}}
{{- define "swift-to-s3.swiftSecretName" -}}
{{- if .Values.swift.existingSecret }}{{ .Values.swift.existingSecret }}{{ else }}{{ printf "%s-swift-credentials" (include "swift-to-s3.fullname" .) }}{{ end }}
{{- end }}

{{- define "swift-to-s3.claimName" -}}
{{- include "swift-to-s3.fullname" . }}
{{- end }}

{{- define "swift-to-s3.caConfigMapName" -}}
{{- $src := include "swift-to-s3.caSource" . -}}
{{- if eq $src "inject" }}{{ printf "%s-service-ca" (include "swift-to-s3.fullname" .) }}
{{- else if eq $src "openshift-service-ca" }}openshift-service-ca.crt
{{- else if eq $src "configMap" }}{{ .Values.bucket.ca.configMapName }}
{{- end }}
{{- end }}

{{- define "swift-to-s3.image" -}}
{{- if .Values.image.digest }}{{ printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}{{ end }}
{{- end }}
