// Request bodies the real kubectl v1.32 sent to a capture server (see capture-server.ts),
// kept here so the malformed-input tests run without kubectl.

export const CAPTURED: Record<string, string> = {
  // kubectl create namespace team
  namespace: 'azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhwKFAoEdGVhbRIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==',
  // kubectl create configmap x --from-literal=a=b --from-literal=c=d
  configMap: 'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiMKEQoBeBIAGgAiACoAMgA4AEIAEgYKAWESAWISBgoBYxIBZBoAIgA=',
  // kubectl create service nodeport np --tcp=80:http --node-port=30080
  service: 'azhzAAoNCgJ2MRIHU2VydmljZRJqCh0KAm5wEgAaACIAKgAyADgAQgBaCQoDYXBwEgJucBJFCiAKBzgwLWh0dHASA1RDUBhQIgoIARAAGgRodHRwKIDrARIJCgNhcHASAm5wGgAiCE5vZGVQb3J0OgBCAFIAWgBgAGgAGgIKABoAIgA=',
  // kubectl create deployment web --image=busybox --port=8080 --replicas=0 -- sleep 3600
  deployment: 'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EsoBCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEpgBCAASDAoKCgNhcHASA3dlYhp+ChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEl4SQAoHYnVzeWJveBIHYnVzeWJveBoFc2xlZXAaBDM2MDAqADILCgAQABiQPyIAKgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=',
};
