{{/* The copier's Job spec, shared by the Job of one run and the CronJob's jobTemplate. It renders at the Job's
indentation (two spaces): the CronJob indents it further. */}}
{{- define "swift-to-s3.jobSpec" -}}
{{- $auth := include "swift-to-s3.swiftAuth" . }}
{{- $run := include "swift-to-s3.run" . }}
{{- $completions := int (include "swift-to-s3.completions" .) }}
{{- $job := .Values.job }}
{{- $copier := .Values.copier }}
{{- $swift := .Values.swift }}
{{- $bucket := .Values.bucket }}
{{- $keys := $swift.existingSecretKeys }}
{{- $secret := include "swift-to-s3.swiftSecretName" . }}
{{- $caSource := include "swift-to-s3.caSource" . }}
{{- $caDir := "/etc/swift-to-s3/ca" }}
{{- $swiftCaDir := "/etc/swift-to-s3/swift-ca" }}
{{- $parallelism := $completions }}
{{- if $.Values.shards.parallelism }}{{ $parallelism = int $.Values.shards.parallelism }}{{ else if gt $parallelism (int $.Values.shards.maxParallelism) }}{{ $parallelism = int $.Values.shards.maxParallelism }}{{ end }}
  completionMode: Indexed
  completions: {{ $completions }}
  parallelism: {{ $parallelism }}
  {{- if $job.legacyBackoff }}
  backoffLimit: {{ if kindIs "invalid" $job.backoffLimit }}{{ mul $completions (int $job.backoffLimitPerIndex) }}{{ else }}{{ int $job.backoffLimit }}{{ end }}
  {{- else }}
  backoffLimitPerIndex: {{ int $job.backoffLimitPerIndex }}
  {{- if not (kindIs "invalid" $job.maxFailedIndexes) }}
  maxFailedIndexes: {{ min (int $job.maxFailedIndexes) $completions }}
  {{- end }}
  {{- end }}
  {{- if not (kindIs "invalid" $job.activeDeadlineSeconds) }}
  activeDeadlineSeconds: {{ int64 $job.activeDeadlineSeconds }}
  {{- end }}
  {{- if not (kindIs "invalid" $job.ttlSecondsAfterFinished) }}
  ttlSecondsAfterFinished: {{ int $job.ttlSecondsAfterFinished }}
  {{- end }}
  # Exit codes of the copier: 2 = configuration, credentials, a missing container or bucket: no retry can help,
  # stop the whole Job now; 3 = Swift or S3 unreachable after CONNECT_WAIT: fail this index only (a blip on one
  # pod's path must not end every index; maxFailedIndexes bounds a real outage); 1 = some objects failed: retry
  # this index. Evicted or preempted pods do not count.
  podFailurePolicy:
    rules:
      - action: FailJob
        onExitCodes:
          containerName: copier
          operator: In
          values: [2]
      {{- if not $job.legacyBackoff }}
      - action: FailIndex
        onExitCodes:
          containerName: copier
          operator: In
          values: [3]
      {{- end }}
      - action: Ignore
        onPodConditions:
          - type: DisruptionTarget
            status: "True"
      - action: Count
        onExitCodes:
          containerName: copier
          operator: In
          values: {{ if $job.legacyBackoff }}[1, 3]{{ else }}[1]{{ end }}
  template:
    metadata:
      labels:
        {{- include "swift-to-s3.selectorLabels" . | nindent 8 }}
        {{- include "swift-to-s3.runLabels" . | nindent 8 }}
        {{- with $job.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if or .Values.metrics.enabled $job.podAnnotations }}
      annotations:
        {{- if .Values.metrics.enabled }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ .Values.metrics.port | toString | quote }}
        prometheus.io/path: {{ .Values.metrics.path | quote }}
        {{- end }}
        {{- with $job.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      {{- with $job.serviceAccountName }}
      serviceAccountName: {{ . }}
      {{- end }}
      {{- with $job.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $swift.hostAliases }}
      # The Swift host's name pinned to its address: URLs and TLS names stay the VM's own.
      hostAliases:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      terminationGracePeriodSeconds: {{ add (int $copier.shutdownGraceSeconds) 10 }}
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      # restricted-v2: any UID OpenShift assigns (runAsUser left empty), group 0, no privileges.
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: copier
          image: {{ include "swift-to-s3.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          args: [{{ .Values.mode | quote }}]
          terminationMessagePath: /dev/termination-log
          terminationMessagePolicy: FallbackToLogsOnError
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
            seccompProfile:
              type: RuntimeDefault
          {{- if .Values.metrics.enabled }}
          ports:
            - name: metrics
              containerPort: {{ int .Values.metrics.port }}
              protocol: TCP
          {{- end }}
          {{- if include "swift-to-s3.useClaim" . }}
          envFrom:
            # BUCKET_HOST, BUCKET_PORT, BUCKET_NAME, BUCKET_REGION, BUCKET_SUBREGION
            - configMapRef:
                name: {{ include "swift-to-s3.claimName" . }}
            # AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
            - secretRef:
                name: {{ include "swift-to-s3.claimName" . }}
          {{- else }}
          envFrom:
            # AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
            - secretRef:
                name: {{ $bucket.existing.secretName }}
          {{- end }}
          env:
            - name: SWIFT_CONTAINERS
              value: {{ required "swift-to-s3: swift.containers needs at least one container, e.g. --set 'swift.containers={users}'" (join "," $swift.containers) | quote }}
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
              value: {{ printf "%s/%s" $caDir (include "swift-to-s3.caKey" .) | quote }}
            - name: NODE_EXTRA_CA_CERTS
              value: {{ printf "%s/%s" $caDir (include "swift-to-s3.caKey" .) | quote }}
            {{- end }}
            {{- if $swift.ca.configMapName }}
            - name: SWIFT_CA_FILE
              value: {{ printf "%s/%s" $swiftCaDir $swift.ca.key | quote }}
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
            {{- range $name, $value := dict "TRANSFERS" $copier.transfers "MULTIPART_THRESHOLD" $copier.multipartThreshold "PART_SIZE" $copier.partSize "PART_CONCURRENCY" $copier.partConcurrency "MAX_RETRIES" $copier.maxRetries "BWLIMIT" $copier.bwlimit "COMPARE" $copier.compare "PROGRESS_INTERVAL" $copier.progressInterval }}
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
            {{- range $copier.extraEnv }}
            {{- if hasKey . "value" }}
            - name: {{ .name }}
              value: {{ .value | toString | quote }}
            {{- else }}
            - {{ toYaml . | nindent 14 | trim }}
            {{- end }}
            {{- end }}
          {{- with $job.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if ne $caSource "none" }}
            - name: bucket-ca
              mountPath: {{ $caDir }}
              readOnly: true
            {{- end }}
            {{- if $swift.ca.configMapName }}
            - name: swift-ca
              mountPath: {{ $swiftCaDir }}
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          {{- with $job.tmpSizeLimit }}
          emptyDir:
            sizeLimit: {{ . | quote }}
          {{- else }}
          emptyDir: {}
          {{- end }}
        {{- if ne $caSource "none" }}
        - name: bucket-ca
          configMap:
            name: {{ include "swift-to-s3.caConfigMapName" . }}
            items:
              - key: {{ include "swift-to-s3.caKey" . }}
                path: {{ include "swift-to-s3.caKey" . }}
        {{- end }}
        {{- if $swift.ca.configMapName }}
        - name: swift-ca
          configMap:
            name: {{ $swift.ca.configMapName }}
            items:
              - key: {{ $swift.ca.key }}
                path: {{ $swift.ca.key }}
        {{- end }}
      {{- with $job.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $job.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $job.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
