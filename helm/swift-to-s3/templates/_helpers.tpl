{{/* Labels, annotations and the decisions every template shares (how to authenticate, where the bucket and its
CA come from, Swift's ports). Nothing here is random or time-based: rendering twice gives the same bytes (Argo CD
renders with helm template). */}}

{{/* Labels that never change between chart versions: used in selectors and in the Job's (immutable) pod template. */}}
{{- define "swift-to-s3.selectorLabels" -}}
app.kubernetes.io/name: {{ include "swift-to-s3.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every object's metadata. */}}
{{- define "swift-to-s3.labels" -}}
helm.sh/chart: {{ include "swift-to-s3.chart" . }}
{{ include "swift-to-s3.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: swift-to-s3
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The label this chart owns for finding a release's Jobs and pods: Argo CD's label tracking rewrites
app.kubernetes.io/instance on top-level objects to the Application's name, so status and rerun select by this. */}}
{{- define "swift-to-s3.releaseLabel" -}}
swift-to-s3.io/release: {{ .Release.Name }}
{{- end }}

{{/* What a copier Job and its pods say about themselves, beyond the common labels. */}}
{{- define "swift-to-s3.runLabels" -}}
app.kubernetes.io/component: copier
{{ include "swift-to-s3.releaseLabel" . }}
swift-to-s3/run: {{ include "swift-to-s3.run" . | quote }}
swift-to-s3/mode: {{ .Values.mode }}
{{- end }}

{{/* Labels of the copier Job (and of the CronJob and its jobTemplate). */}}
{{- define "swift-to-s3.jobLabels" -}}
{{ include "swift-to-s3.labels" . }}
{{ include "swift-to-s3.runLabels" . }}
{{- with .Values.job.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Annotations of the copier Job of one run. Old runs' Jobs leave the rendered output when run is raised:
Helm keeps them by resource-policy, Argo CD only by Prune=false (it ignores Helm's keep, argo-cd issue 17819),
and IgnoreExtraneous keeps the kept ones from marking the app OutOfSync. */}}
{{- define "swift-to-s3.jobAnnotations" -}}
{{ include "swift-to-s3.syncWave" (list . "job") }}
{{- if .Values.job.keepOldRuns }}
helm.sh/resource-policy: keep
argocd.argoproj.io/sync-options: Prune=false
argocd.argoproj.io/compare-options: IgnoreExtraneous
{{- end }}
{{- with .Values.job.annotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Annotations of the catch-up CronJob: none of the Job's keep or prune protection. A kept CronJob would outlive
a cleared schedule, helm uninstall and Argo CD's prune, and go on resyncing Swift into the bucket after cutover;
its own Jobs need no keeping: it owns them and trims them by its history limits. */}}
{{- define "swift-to-s3.cronJobAnnotations" -}}
{{ include "swift-to-s3.syncWave" (list . "job") }}
{{- with .Values.job.annotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Argo CD sync wave annotation; argument: (list $ "prerequisites"|"network"|"job"). */}}
{{- define "swift-to-s3.syncWave" -}}
{{- $root := index . 0 -}}
argocd.argoproj.io/sync-wave: {{ index $root.Values.syncWaves (index . 1) | toString | quote }}
{{- end }}

{{/* The run number as an integer string ("2"), whether it came from a values file (float) or --set (int). */}}
{{- define "swift-to-s3.run" -}}
{{- int .Values.run | toString }}
{{- end }}

{{/* How the copier authenticates to Swift: keystone, v1 or token (swift-to-s3.validate refuses the rest). */}}
{{- define "swift-to-s3.swiftAuth" -}}
{{- $s := .Values.swift -}}
{{- if $s.keystone.authUrl -}}keystone
{{- else if $s.authUrl -}}v1
{{- else -}}token
{{- end -}}
{{- end }}

{{/* true when the bucket is an ObjectBucketClaim made by this chart. */}}
{{- define "swift-to-s3.useClaim" -}}
{{- if not .Values.bucket.existing.endpoint }}true{{ end }}
{{- end }}

{{/* Where the CA bundle for the bucket comes from: inject, openshift-service-ca, configMap or none. */}}
{{- define "swift-to-s3.caSource" -}}
{{- $src := .Values.bucket.ca.source -}}
{{- if $src }}{{ $src }}{{ else if include "swift-to-s3.useClaim" . }}inject{{ else }}none{{ end }}
{{- end }}

{{- define "swift-to-s3.caKey" -}}
{{- if eq (include "swift-to-s3.caSource" .) "configMap" }}{{ .Values.bucket.ca.key }}{{ else }}service-ca.crt{{ end }}
{{- end }}

{{/* The TCP ports of the Swift URLs the pods use (auth, storage, Keystone), comma-joined and de-duplicated: the
explicit port, else 443 for https and 80 for http. */}}
{{- define "swift-to-s3.swiftPorts" -}}
{{- $ports := list -}}
{{- range $url := list .Values.swift.authUrl .Values.swift.storageUrl .Values.swift.keystone.authUrl -}}
{{- if $url -}}
{{- $parsed := urlParse $url -}}
{{- $hostPort := splitList ":" (regexReplaceAll "^\\[.*\\]" $parsed.host "ip6") -}}
{{- if eq (len $hostPort) 2 }}{{ $ports = append $ports (index $hostPort 1) }}
{{- else }}{{ $ports = append $ports (ternary "443" "80" (eq $parsed.scheme "https")) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- $ports | uniq | join "," -}}
{{- end }}
