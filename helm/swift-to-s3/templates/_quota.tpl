{{/* What a run asks of the namespace's ResourceQuota, for NOTES: pods at once × the copier's requests and limits.
Quantities are multiplied as written ("250m" × 16 = 4 CPUs, "1Gi" × 16 = 16Gi); a form these helpers do not read
(an exponent, a fraction of a memory unit) is shown as "16 × <quantity>". */}}

{{/* n × a CPU quantity: "16 CPUs", "1 CPU", "750m CPU". Argument: (list quantity n). */}}
{{- define "swift-to-s3.cpuTimes" -}}
{{- $q := toString (index . 0) -}}
{{- $n := int (index . 1) -}}
{{- $milli := -1 -}}
{{- if regexMatch "^[0-9]+m$" $q -}}
{{- $milli = atoi (trimSuffix "m" $q) -}}
{{- else if regexMatch "^[0-9]+$" $q -}}
{{- $milli = mul (atoi $q) 1000 -}}
{{- else if regexMatch "^[0-9]*\\.[0-9]{1,3}$" $q -}}
{{- $parts := splitList "." $q -}}
{{- $milli = add (mul (atoi (default "0" (index $parts 0))) 1000) (atoi (trunc 3 (printf "%s00" (index $parts 1)))) -}}
{{- end -}}
{{- if lt (int64 $milli) 0 -}}
{{ $n }} × {{ $q }} CPU
{{- else -}}
{{- $total := mul $milli $n -}}
{{- if eq (mod $total 1000) 0 -}}
{{ div $total 1000 }} CPU{{ if ne (div $total 1000) 1 }}s{{ end }}
{{- else -}}
{{ $total }}m CPU
{{- end -}}
{{- end -}}
{{- end }}

{{/* n × a memory quantity, in the largest unit of its own kind (binary Ki…Ti, decimal k…T) that it fills:
"16Gi", "1536Mi". Argument: (list quantity n). */}}
{{- define "swift-to-s3.memoryTimes" -}}
{{- $q := toString (index . 0) -}}
{{- $n := int (index . 1) -}}
{{- if regexMatch "^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?$" $q -}}
{{- $unit := regexFind "[A-Za-z]+$" $q -}}
{{- $binary := list "Ki" "Mi" "Gi" "Ti" -}}
{{- $isBinary := or (not $unit) (has $unit $binary) -}}
{{- $units := ternary $binary (list "k" "M" "G" "T") $isBinary -}}
{{- $base := ternary 1024 1000 $isBinary -}}
{{- $total := mul (atoi (trimSuffix $unit $q)) $n -}}
{{- $at := 0 -}}
{{- range $i, $u := $units }}{{ if eq $u $unit }}{{ $at = add1 $i }}{{ end }}{{ end -}}
{{- $shown := $unit -}}
{{- $stop := eq (int64 $total) 0 -}}
{{- range $i, $u := $units -}}
{{- if and (not $stop) (ge $i $at) -}}
{{- if eq (mod $total $base) 0 }}{{ $total = div $total $base }}{{ $shown = $u }}{{ else }}{{ $stop = true }}{{ end -}}
{{- end -}}
{{- end -}}
{{ $total }}{{ $shown }}
{{- else -}}
{{ $n }} × {{ $q }}
{{- end -}}
{{- end }}

{{/* A memory quantity in MiB, rounded down: "1Gi" → 1024, "2G" → 1907, 536870912 → 512; empty for a form it does not
read. Every form values.schema.json lets through is read: bytes, a fraction, a binary or decimal unit, an exponent. */}}
{{- define "swift-to-s3.memoryMiB" -}}
{{- $q := . -}}
{{- if kindIs "float64" $q }}{{ $q = int64 $q }}{{ end -}}
{{- $q = toString $q -}}
{{- if regexMatch "^[0-9]+(\\.[0-9]+)?([EPTGMK]i|[EPTGMk]|e[0-9]+)?$" $q -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $q -}}
{{- $unit := trimPrefix $number $q -}}
{{- $units := dict "" 1 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "Pi" 1125899906842624 "Ei" 1152921504606846976 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "P" 1000000000000000 "E" 1000000000000000000 -}}
{{- $factor := 1.0 -}}
{{- if hasPrefix "e" $unit -}}
{{- range until (atoi (trimPrefix "e" $unit)) }}{{ $factor = mulf $factor 10 }}{{ end -}}
{{- else -}}
{{- $factor = index $units $unit -}}
{{- end -}}
{{- int64 (floor (divf (mulf (float64 $number) $factor) 1048576)) -}}
{{- end -}}
{{- end }}

{{/* Totals of one kind of resources for n pods: "16 CPUs and 16Gi of limits.cpu and limits.memory"; empty when
neither is set. Argument: (list requests-or-limits "requests"|"limits" n). */}}
{{- define "swift-to-s3.resourceTotals" -}}
{{- $set := index . 0 | default dict -}}
{{- $kind := index . 1 -}}
{{- $n := index . 2 -}}
{{- $totals := list -}}
{{- $keys := list -}}
{{- with $set.cpu }}{{ $totals = append $totals (include "swift-to-s3.cpuTimes" (list . $n)) }}{{ $keys = append $keys (printf "%s.cpu" $kind) }}{{ end -}}
{{- with $set.memory }}{{ $totals = append $totals (include "swift-to-s3.memoryTimes" (list . $n)) }}{{ $keys = append $keys (printf "%s.memory" $kind) }}{{ end -}}
{{- if $totals }}{{ join " and " $totals }} of {{ join " and " $keys }}{{ end -}}
{{- end }}

{{/* One kind of resources as set: "cpu 1, memory 1Gi". Argument: requests or limits. */}}
{{- define "swift-to-s3.resourceList" -}}
{{- $set := . | default dict -}}
{{- $shown := list -}}
{{- with $set.cpu }}{{ $shown = append $shown (printf "cpu %v" .) }}{{ end -}}
{{- with $set.memory }}{{ $shown = append $shown (printf "memory %v" .) }}{{ end -}}
{{- join ", " $shown -}}
{{- end }}

{{/* The quota paragraph of NOTES: what parallelism × the pods' resources needs from the ResourceQuota. */}}
{{- define "swift-to-s3.quotaNote" -}}
{{- $pods := min (int (include "swift-to-s3.parallelism" .)) (int (include "swift-to-s3.completions" .)) -}}
{{- $resources := .Values.job.resources | default dict -}}
{{- $limits := include "swift-to-s3.resourceTotals" (list $resources.limits "limits" $pods) -}}
{{- $requests := include "swift-to-s3.resourceTotals" (list $resources.requests "requests" $pods) -}}
{{- if or $limits $requests -}}
Quota: {{ $pods }} pods at once
{{- if $limits }} × limits {{ include "swift-to-s3.resourceList" $resources.limits }} = {{ $limits }}
{{- else }}, with no limits (the namespace's LimitRange defaults apply)
{{- end }}
{{- if $requests }}
(requests: {{ $requests }}){{ end }}. Compare with oc describe quota -n {{ .Release.Namespace }}:
a pod the quota cannot fit is not created at all (the Job shows only FailedCreate events); lower
shards.parallelism or job.resources to fit.
{{- else -}}
Quota: {{ $pods }} pods at once, with no resources: the namespace's LimitRange defaults apply to each
(oc describe limitrange -n {{ .Release.Namespace }}), and {{ $pods }} × those must fit oc describe quota -n {{ .Release.Namespace }},
or pods beyond it are not created at all (the Job shows only FailedCreate events).
{{- end -}}
{{- end }}
