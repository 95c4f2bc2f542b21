{{/* The copier's Job spec, shared by the Job of one run and the CronJob's jobTemplate. It renders at the Job's
indentation (two spaces): the CronJob indents it further. */}}
{{- define "swift-to-s3.jobSpec" -}}
{{- $completions := int (include "swift-to-s3.completions" .) }}
{{- $job := .Values.job }}
{{- $swift := .Values.swift }}
{{- $caSource := include "swift-to-s3.caSource" . }}
  completionMode: Indexed
  completions: {{ $completions }}
  parallelism: {{ include "swift-to-s3.parallelism" . }}
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
  # The first matching rule decides. Evicted or preempted pods do not count, whatever code they exit with, so
  # that rule comes first (after it, an evicted pod exiting 3 would fail its index). Exit codes of the copier:
  # 2 = configuration, credentials, a missing container or bucket: no retry can help, stop the whole Job now;
  # 3 = Swift or S3 unreachable after CONNECT_WAIT: fail this index only (a blip on one pod's path must not end
  # every index; maxFailedIndexes bounds a real outage); 1 = some objects failed: retry this index.
  podFailurePolicy:
    rules:
      - action: Ignore
        onPodConditions:
          - type: DisruptionTarget
            status: "True"
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
      terminationGracePeriodSeconds: {{ add (int .Values.copier.shutdownGraceSeconds) 10 }}
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
          {{- include "swift-to-s3.envFrom" . | nindent 10 }}
          env:
            {{- include "swift-to-s3.env" . | nindent 12 }}
          {{- with $job.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if ne $caSource "none" }}
            - name: bucket-ca
              mountPath: {{ (include "swift-to-s3.bucketCaDir" .) }}
              readOnly: true
            {{- end }}
            {{- if $swift.ca.configMapName }}
            - name: swift-ca
              mountPath: {{ (include "swift-to-s3.swiftCaDir" .) }}
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
