{{/* The copier container's environment: where the bucket's ConfigMap and Secret come in (envFrom) and every
variable the copier reads (env), each from its value. Credentials only ever as secretKeyRef or envFrom. */}}

{{/* Directories where the CA bundles are mounted. */}}
{{- define "swift-to-s3.bucketCaDir" -}}/etc/swift-to-s3/ca{{- end }}
{{- define "swift-to-s3.swiftCaDir" -}}/etc/swift-to-s3/swift-ca{{- end }}

{{/* envFrom: the claim's ConfigMap and Secret unchanged, or the existing bucket's Secret. */}}
{{- define "swift-to-s3.envFrom" -}}
{{- $bucket := .Values.bucket }}
{{- if include "swift-to-s3.useClaim" . -}}
envFrom:
  # BUCKET_HOST, BUCKET_PORT, BUCKET_NAME, BUCKET_REGION, BUCKET_SUBREGION
  - configMapRef:
      name: {{ include "swift-to-s3.claimName" . }}
  # AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
  - secretRef:
      name: {{ include "swift-to-s3.claimName" . }}
{{- else -}}
envFrom:
  # AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
  - secretRef:
      name: {{ $bucket.existing.secretName }}
{{- end }}
{{- end }}

{{/* env: the list items, for the container's env field. */}}
{{- define "swift-to-s3.env" -}}
{{- $auth := include "swift-to-s3.swiftAuth" . }}
{{- $copier := .Values.copier }}
{{- $swift := .Values.swift }}
{{- $bucket := .Values.bucket }}
{{- $keys := $swift.existingSecretKeys }}
{{- $secret := include "swift-to-s3.swiftSecretName" . }}
{{- $caSource := include "swift-to-s3.caSource" . -}}
- name: SWIFT_CONTAINERS
  value: {{ join "," $swift.containers | quote }}
{{- if eq $auth "keystone" }}
- name: OS_AUTH_URL
  value: {{ $swift.keystone.authUrl | quote }}
- name: OS_INTERFACE
  value: {{ $swift.keystone.interface | quote }}
- name: OS_APPLICATION_CREDENTIAL_ID
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.applicationCredentialId }}
- name: OS_APPLICATION_CREDENTIAL_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.applicationCredentialSecret }}
{{- else if eq $auth "v1" }}
- name: SWIFT_AUTH_URL
  value: {{ $swift.authUrl | quote }}
- name: SWIFT_USER
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.user }}
- name: SWIFT_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.key }}
{{- else }}
- name: SWIFT_AUTH_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.authToken }}
{{- end }}
{{- if $swift.storageUrl }}
- name: SWIFT_STORAGE_URL
  value: {{ $swift.storageUrl | quote }}
{{- end }}
{{- if not (include "swift-to-s3.useClaim" .) }}
- name: S3_ENDPOINT
  value: {{ $bucket.existing.endpoint | quote }}
- name: BUCKET_NAME
  value: {{ $bucket.existing.bucketName | quote }}
- name: BUCKET_REGION
  value: {{ $bucket.existing.region | quote }}
{{- end }}
{{- if $bucket.prefix }}
- name: S3_PREFIX
  value: {{ $bucket.prefix | quote }}
{{- end }}
{{- if ne $caSource "none" }}
- name: S3_CA_FILE
  value: {{ printf "%s/%s" (include "swift-to-s3.bucketCaDir" .) (include "swift-to-s3.caKey" .) | quote }}
- name: NODE_EXTRA_CA_CERTS
  value: {{ printf "%s/%s" (include "swift-to-s3.bucketCaDir" .) (include "swift-to-s3.caKey" .) | quote }}
{{- end }}
{{- if $swift.ca.configMapName }}
- name: SWIFT_CA_FILE
  value: {{ printf "%s/%s" (include "swift-to-s3.swiftCaDir" .) $swift.ca.key | quote }}
{{- end }}
{{- if $bucket.insecureSkipTLSVerify }}
- name: S3_INSECURE_SKIP_TLS_VERIFY
  value: "true"
{{- end }}
- name: SHARD_COUNT
  value: {{ int .Values.shards.count | toString | quote }}
{{- if include "swift-to-s3.shardsOnly" . }}
# Completion index i works on the i-th shard of this list.
- name: SHARD_INDEXES
  value: {{ include "swift-to-s3.shardRanges" . | quote }}
{{- end }}
{{- range $name, $value := dict "TRANSFERS" $copier.transfers "MULTIPART_THRESHOLD" $copier.multipartThreshold "PART_SIZE" $copier.partSize "PART_CONCURRENCY" $copier.partConcurrency "MAX_RETRIES" $copier.maxRetries "OUTAGE_WAIT" $copier.outageWait "TRUST_LEDGER_HOURS" $copier.trustLedgerHours "BWLIMIT" $copier.bwlimit "COMPARE" $copier.compare "PROGRESS_INTERVAL" $copier.progressInterval }}
{{- if not (kindIs "invalid" $value) }}
- name: {{ $name }}
  value: {{ ternary (int64 $value | toString) (toString $value) (kindIs "float64" $value) | quote }}
{{- end }}
{{- end }}
- name: DELETE_EXTRANEOUS
  value: {{ $copier.deleteExtraneous | toString | quote }}
- name: DRY_RUN
  value: {{ $copier.dryRun | toString | quote }}
- name: LOG_LEVEL
  value: {{ $copier.logLevel | quote }}
- name: SHUTDOWN_GRACE_SECONDS
  value: {{ int $copier.shutdownGraceSeconds | toString | quote }}
- name: TERMINATION_MESSAGE_PATH
  value: /dev/termination-log
{{- if .Values.metrics.enabled }}
- name: METRICS_PORT
  value: {{ int .Values.metrics.port | toString | quote }}
{{- end }}
{{- with include "swift-to-s3.nodeOptions" . }}
- name: NODE_OPTIONS
  value: {{ . | quote }}
{{- end }}
{{- range $copier.extraEnv }}
{{- if hasKey . "value" }}
- name: {{ .name }}
  value: {{ .value | toString | quote }}
{{- else }}
- {{ toYaml . | nindent 14 | trim }}
{{- end }}
{{- end }}
{{- end }}

{{/* NODE_OPTIONS for the copier: the V8 old space at 75 % of limits.memory. Without it Node sizes the heap from the
cgroup limit to about a quarter of it (256 MB of a 1Gi pod); the other 25 % is room outside the heap for the
multipart part buffers (BUFFER_BUDGET, 32 MiB by default), sockets and the runtime itself. Node reads NODE_OPTIONS
before the image's ENTRYPOINT flags, so those stay. Empty without a memory limit, or when copier.extraEnv sets
NODE_OPTIONS: the user's wins, and two entries of one name, a mere warning to the API server, are an error to
server-side apply. */}}
{{- define "swift-to-s3.nodeOptions" -}}
{{- $userSet := false -}}
{{- range .Values.copier.extraEnv }}{{ if eq .name "NODE_OPTIONS" }}{{ $userSet = true }}{{ end }}{{ end -}}
{{- $memory := dig "limits" "memory" "" (.Values.job.resources | default dict) -}}
{{- if and $memory (not $userSet) -}}
{{- with include "swift-to-s3.memoryMiB" $memory -}}
{{- $heap := div (mul (atoi .) 3) 4 -}}
{{- if gt (int64 $heap) 0 }}--max-old-space-size={{ $heap }}{{ end -}}
{{- end -}}
{{- end -}}
{{- end }}
