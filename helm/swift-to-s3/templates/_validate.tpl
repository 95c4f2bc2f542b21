{{/* Checks across values that the schema cannot express, each failing with one line that says what to set.
Called once, from job.yaml. */}}
{{- define "swift-to-s3.validate" -}}
{{- $_ := include "swift-to-s3.swiftAuth" . }}
{{- if not (include "swift-to-s3.useClaim" .) }}
{{- $_ := required "swift-to-s3: bucket.existing.bucketName is required with bucket.existing.endpoint" .Values.bucket.existing.bucketName }}
{{- $_ := required "swift-to-s3: bucket.existing.secretName (a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) is required with bucket.existing.endpoint" .Values.bucket.existing.secretName }}
{{- end }}
{{- /* backoffLimitPerIndex is silently dropped by an API server before 1.29: every failure would then count against
the default backoffLimit of 6 for the whole Job. Argo CD and helm install pass the cluster's version. */}}
{{- if and (not .Values.job.legacyBackoff) (semverCompare "<1.29.0-0" .Capabilities.KubeVersion.Version) }}
{{- fail (printf "swift-to-s3: Kubernetes %s has no backoffLimitPerIndex (it needs 1.29, OpenShift 4.16): set job.legacyBackoff=true" .Capabilities.KubeVersion.Version) }}
{{- end }}
{{- end }}
