{{/* Names, labels and the derived values every template shares. Nothing here is random or time-based:
rendering twice gives the same bytes (Argo CD renders with helm template). */}}

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

{{/* Annotations of the copier Job (and CronJob). Old runs' Jobs leave the rendered output when run is raised:
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

{{/* Argo CD sync wave annotation; argument: (list $ "prerequisites"|"network"|"job"). */}}
{{- define "swift-to-s3.syncWave" -}}
{{- $root := index . 0 -}}
argocd.argoproj.io/sync-wave: {{ index $root.Values.syncWaves (index . 1) | toString | quote }}
{{- end }}

{{/* The run number as an integer string ("2"), whether it came from a values file (float) or --set (int). */}}
{{- define "swift-to-s3.run" -}}
{{- int .Values.run | toString }}
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

{{/* How the copier authenticates to Swift: keystone, v1 or token. Validated once here, so every template agrees. */}}
{{- define "swift-to-s3.swiftAuth" -}}
{{- $s := .Values.swift -}}
{{- if and $s.keystone.authUrl $s.authUrl -}}
{{- fail "swift-to-s3: set either swift.authUrl (auth v1) or swift.keystone.authUrl (Keystone v3), not both" -}}
{{- else if $s.keystone.authUrl -}}keystone
{{- else if $s.authUrl -}}v1
{{- else if $s.storageUrl -}}token
{{- else -}}
{{- fail "swift-to-s3: swift.authUrl is required (auth v1), or swift.storageUrl with swift.authToken, or swift.keystone.authUrl with an application credential" -}}
{{- end -}}
{{- end }}

{{/* true when the bucket is an ObjectBucketClaim made by this chart. */}}
{{- define "swift-to-s3.useClaim" -}}
{{- if not .Values.bucket.existing.endpoint }}true{{ end }}
{{- end }}

{{- define "swift-to-s3.claimName" -}}
{{- include "swift-to-s3.fullname" . }}
{{- end }}

{{/* Where the CA bundle for the bucket comes from: inject, openshift-service-ca, configMap or none. */}}
{{- define "swift-to-s3.caSource" -}}
{{- $src := .Values.bucket.ca.source -}}
{{- if $src }}{{ $src }}{{ else if include "swift-to-s3.useClaim" . }}inject{{ else }}none{{ end }}
{{- end }}

{{- define "swift-to-s3.caConfigMapName" -}}
{{- $src := include "swift-to-s3.caSource" . -}}
{{- if eq $src "inject" }}{{ printf "%s-service-ca" (include "swift-to-s3.fullname" .) }}
{{- else if eq $src "openshift-service-ca" }}openshift-service-ca.crt
{{- else if eq $src "configMap" }}{{ required "swift-to-s3: bucket.ca.configMapName is required with bucket.ca.source=configMap" .Values.bucket.ca.configMapName }}
{{- end }}
{{- end }}

{{- define "swift-to-s3.caKey" -}}
{{- if eq (include "swift-to-s3.caSource" .) "configMap" }}{{ .Values.bucket.ca.key }}{{ else }}service-ca.crt{{ end }}
{{- end }}

{{/* shards.only as one string without blanks: a string ("3,7,12-14"), a number, or a list of numbers and ranges. */}}
{{- define "swift-to-s3.shardsOnly" -}}
{{- $only := .Values.shards.only -}}
{{- $spec := "" -}}
{{- if kindIs "slice" $only -}}
{{- $parts := list -}}
{{- range $only }}{{ $parts = append $parts (toString .) }}{{ end -}}
{{- $spec = join "," $parts -}}
{{- else if not (kindIs "invalid" $only) -}}
{{- $spec = toString $only -}}
{{- end -}}
{{- nospace $spec -}}
{{- end }}

{{/* The shards this run covers, expanded, de-duplicated and sorted: "3,7,12,13,14". Empty shards.only: every
shard 0..count-1. */}}
{{- define "swift-to-s3.shardList" -}}
{{- $count := int .Values.shards.count -}}
{{- $spec := include "swift-to-s3.shardsOnly" . -}}
{{- $chosen := dict -}}
{{- if $spec -}}
{{- range $part := splitList "," $spec -}}
{{- if regexMatch "^[0-9]+$" $part -}}
{{- $_ := set $chosen (toString (int $part)) true -}}
{{- else if regexMatch "^[0-9]+-[0-9]+$" $part -}}
{{- $bounds := splitList "-" $part -}}
{{- $lo := int (index $bounds 0) -}}
{{- $hi := int (index $bounds 1) -}}
{{- if gt $lo $hi -}}
{{- fail (printf "swift-to-s3: shards.only: range %q runs backwards" $part) -}}
{{- end -}}
{{- if ge $hi $count -}}
{{- fail (printf "swift-to-s3: shards.only: range %q goes past the last shard %d (shards.count is %d)" $part (sub $count 1) $count) -}}
{{- end -}}
{{- range $i := untilStep $lo (int (add1 $hi)) 1 }}{{ $_ := set $chosen (toString $i) true }}{{ end -}}
{{- else -}}
{{- fail (printf "swift-to-s3: shards.only: %q is not a shard index or range; write e.g. 3,7,12-14" $part) -}}
{{- end -}}
{{- end -}}
{{- range $key, $_ := $chosen -}}
{{- if ge (int $key) $count -}}
{{- fail (printf "swift-to-s3: shards.only: shard %s does not exist, shards.count is %d (shards 0-%d)" $key $count (sub $count 1)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not $spec -}}
{{- until $count | join "," -}}
{{- else -}}
{{- $list := list -}}
{{- range $i := until $count -}}
{{- if hasKey $chosen (toString $i) }}{{ $list = append $list (toString $i) }}{{ end -}}
{{- end -}}
{{- join "," $list -}}
{{- end -}}
{{- end }}

{{/* The same shards as ranges, for SHARD_INDEXES: "3,7,12-14". */}}
{{- define "swift-to-s3.shardRanges" -}}
{{- $out := list -}}
{{- $start := -1 -}}
{{- $prev := -1 -}}
{{- range $s := splitList "," (include "swift-to-s3.shardList" .) -}}
{{- $i := int $s -}}
{{- if eq $start -1 -}}
{{- $start = $i -}}
{{- else if ne $i (int (add1 $prev)) -}}
{{- $out = append $out (ternary (toString $start) (printf "%d-%d" $start $prev) (eq $start $prev)) -}}
{{- $start = $i -}}
{{- end -}}
{{- $prev = $i -}}
{{- end -}}
{{- $out = append $out (ternary (toString $start) (printf "%d-%d" $start $prev) (eq $start $prev)) -}}
{{- join "," $out -}}
{{- end }}

{{/* Number of Job completions: one per shard in this run. */}}
{{- define "swift-to-s3.completions" -}}
{{- len (splitList "," (include "swift-to-s3.shardList" .)) }}
{{- end }}

{{- define "swift-to-s3.image" -}}
{{- if .Values.image.digest }}{{ printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}{{ end }}
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
