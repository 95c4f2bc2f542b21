{{/* Which shards a run covers: shards.only in any of its forms, expanded, checked and written back as ranges. */}}

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

{{/* The Job's parallelism: shards.parallelism, or one pod per completion up to shards.maxParallelism. */}}
{{- define "swift-to-s3.parallelism" -}}
{{- $completions := int (include "swift-to-s3.completions" .) -}}
{{- if .Values.shards.parallelism }}{{ int .Values.shards.parallelism }}
{{- else }}{{ min $completions (int .Values.shards.maxParallelism) }}
{{- end }}
{{- end }}
