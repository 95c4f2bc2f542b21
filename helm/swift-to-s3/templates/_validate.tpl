{{/* Every check across values that the schema cannot express, each failing with one line that says what to set.
Called once, from job.yaml; the templates then render without checking again. */}}
{{- define "swift-to-s3.validate" -}}
{{- $swift := .Values.swift }}
{{- if and $swift.keystone.authUrl $swift.authUrl }}
{{- fail "swift-to-s3: set either swift.authUrl (auth v1) or swift.keystone.authUrl (Keystone v3), not both" }}
{{- end }}
{{- if not (or $swift.keystone.authUrl $swift.authUrl $swift.storageUrl) }}
{{- fail "swift-to-s3: swift.authUrl is required (auth v1), or swift.storageUrl with swift.authToken, or swift.keystone.authUrl with an application credential" }}
{{- end }}
{{- if not $swift.existingSecret }}
{{- $auth := include "swift-to-s3.swiftAuth" . }}
{{- if eq $auth "v1" }}
{{- $_ := required "swift-to-s3: swift.user is required with swift.authUrl (or set swift.existingSecret)" $swift.user }}
{{- $_ := required "swift-to-s3: swift.key is required with swift.authUrl (or set swift.existingSecret)" $swift.key }}
{{- else if eq $auth "token" }}
{{- $_ := required "swift-to-s3: swift.authToken is required with swift.storageUrl alone (or set swift.existingSecret)" $swift.authToken }}
{{- else }}
{{- $_ := required "swift-to-s3: swift.keystone.applicationCredentialId is required with swift.keystone.authUrl (or set swift.existingSecret)" $swift.keystone.applicationCredentialId }}
{{- $_ := required "swift-to-s3: swift.keystone.applicationCredentialSecret is required with swift.keystone.authUrl (or set swift.existingSecret)" $swift.keystone.applicationCredentialSecret }}
{{- end }}
{{- end }}
{{- if not $swift.containers }}
{{- fail "swift-to-s3: swift.containers needs at least one container, e.g. --set 'swift.containers={users}'" }}
{{- end }}
{{- if not (include "swift-to-s3.useClaim" .) }}
{{- $_ := required "swift-to-s3: bucket.existing.bucketName is required with bucket.existing.endpoint" .Values.bucket.existing.bucketName }}
{{- $_ := required "swift-to-s3: bucket.existing.secretName (a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) is required with bucket.existing.endpoint" .Values.bucket.existing.secretName }}
{{- end }}
{{- if eq (include "swift-to-s3.caSource" .) "configMap" }}
{{- $_ := required "swift-to-s3: bucket.ca.configMapName is required with bucket.ca.source=configMap" .Values.bucket.ca.configMapName }}
{{- end }}
{{- if and .Values.networkPolicy.enabled (not .Values.networkPolicy.swift.cidrs) }}
{{- fail "swift-to-s3: networkPolicy.swift.cidrs is required with networkPolicy.enabled: the Swift VM's (or its proxy's) address as the pods see it, e.g. {192.0.2.10/32} (a NetworkPolicy cannot name a host)" }}
{{- end }}
{{- /* shards.only is parsed (and its mistakes refused) where it is expanded. */}}
{{- $_ := include "swift-to-s3.shardList" . }}
{{- /* backoffLimitPerIndex is silently dropped by an API server before 1.29: every failure would then count against
the default backoffLimit of 6 for the whole Job. Argo CD and helm install pass the cluster's version. */}}
{{- if and (not .Values.job.legacyBackoff) (semverCompare "<1.29.0-0" .Capabilities.KubeVersion.Version) }}
{{- fail (printf "swift-to-s3: Kubernetes %s has no backoffLimitPerIndex (it needs 1.29, OpenShift 4.16): set job.legacyBackoff=true" .Capabilities.KubeVersion.Version) }}
{{- end }}
{{- end }}
