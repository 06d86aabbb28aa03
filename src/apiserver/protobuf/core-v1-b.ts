// core/v1 (k8s.io/api/core/v1/generated.proto), messages PodSpec to WorkloadReference
// (the first half is in core-v1-a.ts). Notation: schema.ts. Messages are in
// generated.proto's (alphabetical) order.

import { defineMessages } from './schema.js';

export const CORE_V1_B = defineMessages('core', {
  PodSpec: `
    1 volumes []Volume
    20 initContainers []Container
    2 containers []Container
    34 ephemeralContainers []EphemeralContainer
    3 restartPolicy string
    4 terminationGracePeriodSeconds *int64
    5 activeDeadlineSeconds *int64
    6 dnsPolicy string
    7 nodeSelector map[string]string
    8 serviceAccountName string
    9 serviceAccount string
    21 automountServiceAccountToken *bool
    10 nodeName string
    11 hostNetwork bool
    12 hostPID bool
    13 hostIPC bool
    27 shareProcessNamespace *bool
    14 securityContext PodSecurityContext
    15 imagePullSecrets []LocalObjectReference
    16 hostname string
    17 subdomain string
    18 affinity Affinity
    19 schedulerName string
    22 tolerations []Toleration
    23 hostAliases []HostAlias
    24 priorityClassName string
    25 priority *int32
    26 dnsConfig PodDNSConfig
    28 readinessGates []PodReadinessGate
    29 runtimeClassName *string
    30 enableServiceLinks *bool
    31 preemptionPolicy *string
    32 overhead map[string]Quantity
    33 topologySpreadConstraints []TopologySpreadConstraint
    35 setHostnameAsFQDN *bool
    36 os PodOS
    37 hostUsers *bool
    38 schedulingGates []PodSchedulingGate
    39 resourceClaims []PodResourceClaim
    40 resources ResourceRequirements
    41 hostnameOverride *string
    42 workloadRef WorkloadReference`,
  PodStatus: `
    17 observedGeneration int64
    1 phase string
    2 conditions []PodCondition
    3 message string
    4 reason string
    11 nominatedNodeName string
    5 hostIP string
    16 hostIPs []HostIP
    6 podIP string
    12 podIPs []PodIP
    7 startTime Time
    10 initContainerStatuses []ContainerStatus
    8 containerStatuses []ContainerStatus
    9 qosClass string
    13 ephemeralContainerStatuses []ContainerStatus
    14 resize string
    15 resourceClaimStatuses []PodResourceClaimStatus
    18 extendedResourceClaimStatus PodExtendedResourceClaimStatus
    19 allocatedResources map[string]Quantity
    20 resources ResourceRequirements`,
  PodTemplateSpec: '1 metadata meta.ObjectMeta; 2 spec PodSpec',
  PortStatus: '1 port *int32; 2 protocol *string; 3 error *string',
  PortworxVolumeSource: '1 volumeID *string; 2 fsType string; 3 readOnly bool',
  PreferredSchedulingTerm: '1 weight *int32; 2 preference NodeSelectorTerm',
  Probe: `
    1 handler ProbeHandler inline
    2 initialDelaySeconds int32
    3 timeoutSeconds int32
    4 periodSeconds int32
    5 successThreshold int32
    6 failureThreshold int32
    7 terminationGracePeriodSeconds *int64`,
  ProbeHandler: '1 exec ExecAction; 2 httpGet HTTPGetAction; 3 tcpSocket TCPSocketAction; 4 grpc GRPCAction',
  ProjectedVolumeSource: '1 sources []VolumeProjection; 2 defaultMode *int32',
  QuobyteVolumeSource: `
    1 registry *string
    2 volume *string
    3 readOnly bool
    4 user string
    5 group string
    6 tenant string`,
  RBDPersistentVolumeSource: `
    1 monitors []string
    2 image *string
    3 fsType string
    4 pool string
    5 user string
    6 keyring string
    7 secretRef SecretReference
    8 readOnly bool`,
  RBDVolumeSource: `
    1 monitors []string
    2 image *string
    3 fsType string
    4 pool string
    5 user string
    6 keyring string
    7 secretRef LocalObjectReference
    8 readOnly bool`,
  ResourceClaim: '1 name *string; 2 request string',
  ResourceFieldSelector: '1 containerName string; 2 resource *string; 3 divisor Quantity',
  ResourceHealth: '1 resourceID *string; 2 health string; 6 message *string',
  ResourceRequirements: '1 limits map[string]Quantity; 2 requests map[string]Quantity; 3 claims []ResourceClaim',
  ResourceStatus: '1 name *string; 2 resources []ResourceHealth',
  SELinuxOptions: '1 user string; 2 role string; 3 type string; 4 level string',
  ScaleIOPersistentVolumeSource: `
    1 gateway *string
    2 system *string
    3 secretRef SecretReference
    4 sslEnabled bool
    5 protectionDomain string
    6 storagePool string
    7 storageMode string
    8 volumeName string
    9 fsType string
    10 readOnly bool`,
  ScaleIOVolumeSource: `
    1 gateway *string
    2 system *string
    3 secretRef LocalObjectReference
    4 sslEnabled bool
    5 protectionDomain string
    6 storagePool string
    7 storageMode string
    8 volumeName string
    9 fsType string
    10 readOnly bool`,
  SeccompProfile: '1 type *string; 2 localhostProfile *string',
  Secret: `
    1 metadata meta.ObjectMeta
    5 immutable *bool
    2 data map[string]bytes
    4 stringData map[string]string
    3 type string`,
  SecretEnvSource: '1 localObjectReference LocalObjectReference inline; 2 optional *bool',
  SecretKeySelector: '1 localObjectReference LocalObjectReference inline; 2 key *string; 3 optional *bool',
  SecretProjection: '1 localObjectReference LocalObjectReference inline; 2 items []KeyToPath; 4 optional *bool',
  SecretReference: '1 name string; 2 namespace string',
  SecretVolumeSource: '1 secretName string; 2 items []KeyToPath; 3 defaultMode *int32; 4 optional *bool',
  SecurityContext: `
    1 capabilities Capabilities
    2 privileged *bool
    3 seLinuxOptions SELinuxOptions
    10 windowsOptions WindowsSecurityContextOptions
    4 runAsUser *int64
    8 runAsGroup *int64
    5 runAsNonRoot *bool
    6 readOnlyRootFilesystem *bool
    7 allowPrivilegeEscalation *bool
    9 procMount *string
    11 seccompProfile SeccompProfile
    12 appArmorProfile AppArmorProfile
    13 ulimits []Ulimit`,
  Service: '1 metadata meta.ObjectMeta; 2 spec ServiceSpec; 3 status ServiceStatus',
  ServiceAccount: `
    1 metadata meta.ObjectMeta
    2 secrets []ObjectReference
    3 imagePullSecrets []LocalObjectReference
    4 automountServiceAccountToken *bool`,
  ServiceAccountTokenProjection: '1 audience string; 2 expirationSeconds *int64; 3 path *string',
  ServicePort: `
    1 name string
    2 protocol string
    6 appProtocol *string
    3 port *int32
    4 targetPort IntOrString
    5 nodePort int32`,
  ServiceSpec: `
    1 ports []ServicePort
    2 selector map[string]string
    3 clusterIP string
    18 clusterIPs []string
    4 type string
    5 externalIPs []string
    7 sessionAffinity string
    8 loadBalancerIP string
    9 loadBalancerSourceRanges []string
    10 externalName string
    11 externalTrafficPolicy string
    12 healthCheckNodePort int32
    13 publishNotReadyAddresses bool
    14 sessionAffinityConfig SessionAffinityConfig
    19 ipFamilies []string
    17 ipFamilyPolicy *string
    20 allocateLoadBalancerNodePorts *bool
    21 loadBalancerClass *string
    22 internalTrafficPolicy *string
    23 trafficDistribution *string`,
  ServiceStatus: '1 loadBalancer LoadBalancerStatus; 2 conditions []meta.Condition',
  SessionAffinityConfig: '1 clientIP ClientIPConfig',
  SleepAction: '1 seconds *int64',
  StorageOSPersistentVolumeSource: `
    1 volumeName string
    2 volumeNamespace string
    3 fsType string
    4 readOnly bool
    5 secretRef ObjectReference`,
  StorageOSVolumeSource: `
    1 volumeName string
    2 volumeNamespace string
    3 fsType string
    4 readOnly bool
    5 secretRef LocalObjectReference`,
  Sysctl: '1 name *string; 2 value *string',
  TCPSocketAction: '1 port IntOrString; 2 host string',
  Taint: '1 key *string; 2 value string; 3 effect *string; 4 timeAdded Time',
  Toleration: '1 key string; 2 operator string; 3 value string; 4 effect string; 5 tolerationSeconds *int64',
  TopologySelectorLabelRequirement: '1 key *string; 2 values []string',
  TopologySelectorTerm: '1 matchLabelExpressions []TopologySelectorLabelRequirement',
  TopologySpreadConstraint: `
    1 maxSkew *int32
    2 topologyKey *string
    3 whenUnsatisfiable *string
    4 labelSelector meta.LabelSelector
    5 minDomains *int32
    6 nodeAffinityPolicy *string
    7 nodeTaintsPolicy *string
    8 matchLabelKeys []string`,
  TypedLocalObjectReference: '1 apiGroup *string; 2 kind *string; 3 name *string',
  TypedObjectReference: '1 apiGroup *string; 2 kind *string; 3 name *string; 4 namespace *string',
  Ulimit: '1 name *string; 2 hard *int64; 3 soft *int64',
  Volume: '1 name *string; 2 volumeSource VolumeSource inline',
  VolumeDevice: '1 name *string; 2 devicePath *string',
  VolumeMount: `
    1 name *string
    2 readOnly bool
    7 recursiveReadOnly *string
    3 mountPath *string
    4 subPath string
    5 mountPropagation *string
    6 subPathExpr string`,
  VolumeMountStatus: `
    1 name *string
    2 mountPath *string
    3 readOnly bool
    4 recursiveReadOnly *string
    5 volumeStatus VolumeStatus`,
  VolumeNodeAffinity: '1 required NodeSelector',
  VolumeProjection: `
    1 secret SecretProjection
    2 downwardAPI DownwardAPIProjection
    3 configMap ConfigMapProjection
    4 serviceAccountToken ServiceAccountTokenProjection
    5 clusterTrustBundle ClusterTrustBundleProjection
    6 podCertificate PodCertificateProjection`,
  VolumeResourceRequirements: '1 limits map[string]Quantity; 2 requests map[string]Quantity',
  VolumeSource: `
    1 hostPath HostPathVolumeSource
    2 emptyDir EmptyDirVolumeSource
    3 gcePersistentDisk GCEPersistentDiskVolumeSource
    4 awsElasticBlockStore AWSElasticBlockStoreVolumeSource
    5 gitRepo GitRepoVolumeSource
    6 secret SecretVolumeSource
    7 nfs NFSVolumeSource
    8 iscsi ISCSIVolumeSource
    9 glusterfs GlusterfsVolumeSource
    10 persistentVolumeClaim PersistentVolumeClaimVolumeSource
    11 rbd RBDVolumeSource
    12 flexVolume FlexVolumeSource
    13 cinder CinderVolumeSource
    14 cephfs CephFSVolumeSource
    15 flocker FlockerVolumeSource
    16 downwardAPI DownwardAPIVolumeSource
    17 fc FCVolumeSource
    18 azureFile AzureFileVolumeSource
    19 configMap ConfigMapVolumeSource
    20 vsphereVolume VsphereVirtualDiskVolumeSource
    21 quobyte QuobyteVolumeSource
    22 azureDisk AzureDiskVolumeSource
    23 photonPersistentDisk PhotonPersistentDiskVolumeSource
    26 projected ProjectedVolumeSource
    24 portworxVolume PortworxVolumeSource
    25 scaleIO ScaleIOVolumeSource
    27 storageos StorageOSVolumeSource
    28 csi CSIVolumeSource
    29 ephemeral EphemeralVolumeSource
    30 image ImageVolumeSource`,
  VolumeStatus: '1 image ImageVolumeStatus',
  VsphereVirtualDiskVolumeSource: '1 volumePath *string; 2 fsType string; 3 storagePolicyName string; 4 storagePolicyID string',
  WeightedPodAffinityTerm: '1 weight *int32; 2 podAffinityTerm PodAffinityTerm',
  WindowsSecurityContextOptions: `
    1 gmsaCredentialSpecName *string
    2 gmsaCredentialSpec *string
    3 runAsUserName *string
    4 hostProcess *bool`,
  WorkloadReference: '1 name *string; 2 podGroup *string; 3 podGroupReplicaKey string',
});
