// core/v1 (k8s.io/api/core/v1/generated.proto), messages AWSElasticBlockStoreVolumeSource
// to PodSecurityContext (the rest is in core-v1-b.ts): those reachable from the served
// core kinds (Namespace, Node, Pod, Service, Endpoints, Event, ConfigMap, Secret,
// ServiceAccount, PersistentVolumeClaim, PersistentVolume, Binding) and from the pod
// templates and claim templates of other groups. Notation: schema.ts. Messages are in
// generated.proto's (alphabetical) order.

import { defineMessages } from './schema.js';

/** Container and EphemeralContainerCommon have the same fields and numbers in generated.proto. */
const CONTAINER_FIELDS = `
    1 name *string
    2 image string
    3 command []string
    4 args []string
    5 workingDir string
    6 ports []ContainerPort
    19 envFrom []EnvFromSource
    7 env []EnvVar
    8 resources ResourceRequirements
    23 resizePolicy []ContainerResizePolicy
    24 restartPolicy *string
    25 restartPolicyRules []ContainerRestartRule
    9 volumeMounts []VolumeMount
    21 volumeDevices []VolumeDevice
    10 livenessProbe Probe
    11 readinessProbe Probe
    22 startupProbe Probe
    12 lifecycle Lifecycle
    13 terminationMessagePath string
    20 terminationMessagePolicy string
    14 imagePullPolicy string
    15 securityContext SecurityContext
    16 stdin bool
    17 stdinOnce bool
    18 tty bool`;

export const CORE_V1_A = defineMessages('core', {
  AWSElasticBlockStoreVolumeSource: '1 volumeID *string; 2 fsType string; 3 partition int32; 4 readOnly bool',
  Affinity: '1 nodeAffinity NodeAffinity; 2 podAffinity PodAffinity; 3 podAntiAffinity PodAntiAffinity',
  AppArmorProfile: '1 type *string; 2 localhostProfile *string',
  AttachedVolume: '1 name *string; 2 devicePath *string',
  AzureDiskVolumeSource: `
    1 diskName *string
    2 diskURI *string
    3 cachingMode *string
    4 fsType *string
    5 readOnly *bool
    6 kind *string`,
  AzureFilePersistentVolumeSource: `
    1 secretName *string
    2 shareName *string
    3 readOnly bool
    4 secretNamespace *string`,
  AzureFileVolumeSource: '1 secretName *string; 2 shareName *string; 3 readOnly bool',
  Binding: '1 metadata meta.ObjectMeta; 2 target ObjectReference',
  CSIPersistentVolumeSource: `
    1 driver *string
    2 volumeHandle *string
    3 readOnly bool
    4 fsType string
    5 volumeAttributes map[string]string
    6 controllerPublishSecretRef SecretReference
    7 nodeStageSecretRef SecretReference
    8 nodePublishSecretRef SecretReference
    9 controllerExpandSecretRef SecretReference
    10 nodeExpandSecretRef SecretReference`,
  CSIVolumeSource: `
    1 driver *string
    2 readOnly *bool
    3 fsType *string
    4 volumeAttributes map[string]string
    5 nodePublishSecretRef LocalObjectReference`,
  Capabilities: '1 add []string; 2 drop []string',
  CephFSPersistentVolumeSource: `
    1 monitors []string
    2 path string
    3 user string
    4 secretFile string
    5 secretRef SecretReference
    6 readOnly bool`,
  CephFSVolumeSource: `
    1 monitors []string
    2 path string
    3 user string
    4 secretFile string
    5 secretRef LocalObjectReference
    6 readOnly bool`,
  CinderPersistentVolumeSource: `
    1 volumeID *string
    2 fsType string
    3 readOnly bool
    4 secretRef SecretReference`,
  CinderVolumeSource: '1 volumeID *string; 2 fsType string; 3 readOnly bool; 4 secretRef LocalObjectReference',
  ClientIPConfig: '1 timeoutSeconds *int32',
  ClusterTrustBundleProjection: `
    1 name *string
    2 signerName *string
    3 labelSelector meta.LabelSelector
    5 optional *bool
    4 path *string`,
  ConfigMap: `
    1 metadata meta.ObjectMeta
    4 immutable *bool
    2 data map[string]string
    3 binaryData map[string]bytes`,
  ConfigMapEnvSource: '1 localObjectReference LocalObjectReference inline; 2 optional *bool',
  ConfigMapKeySelector: '1 localObjectReference LocalObjectReference inline; 2 key *string; 3 optional *bool',
  ConfigMapNodeConfigSource: `
    1 namespace *string
    2 name *string
    3 uid string
    4 resourceVersion string
    5 kubeletConfigKey *string`,
  ConfigMapProjection: `
    1 localObjectReference LocalObjectReference inline
    2 items []KeyToPath
    4 optional *bool`,
  ConfigMapVolumeSource: `
    1 localObjectReference LocalObjectReference inline
    2 items []KeyToPath
    3 defaultMode *int32
    4 optional *bool`,
  Container: CONTAINER_FIELDS,
  ContainerExtendedResourceRequest: '1 containerName *string; 2 resourceName *string; 3 requestName *string',
  ContainerImage: '1 names []string; 2 sizeBytes int64',
  ContainerPort: `
    1 name string
    2 hostPort int32
    3 containerPort *int32
    4 protocol string
    5 hostIP string`,
  ContainerResizePolicy: '1 resourceName *string; 2 restartPolicy *string',
  ContainerRestartRule: '1 action *string; 2 exitCodes ContainerRestartRuleOnExitCodes',
  ContainerRestartRuleOnExitCodes: '1 operator *string; 2 values []int32',
  ContainerState: `
    1 waiting ContainerStateWaiting
    2 running ContainerStateRunning
    3 terminated ContainerStateTerminated`,
  ContainerStateRunning: '1 startedAt Time',
  ContainerStateTerminated: `
    1 exitCode *int32
    2 signal int32
    3 reason string
    4 message string
    5 startedAt Time
    6 finishedAt Time
    7 containerID string`,
  ContainerStateWaiting: '1 reason string; 2 message string',
  ContainerStatus: `
    1 name *string
    2 state ContainerState
    3 lastState ContainerState
    4 ready *bool
    5 restartCount *int32
    6 image *string
    7 imageID *string
    8 containerID string
    9 started *bool
    10 allocatedResources map[string]Quantity
    11 resources ResourceRequirements
    12 volumeMounts []VolumeMountStatus
    13 user ContainerUser
    14 allocatedResourcesStatus []ResourceStatus
    15 stopSignal *string`,
  ContainerUser: '1 linux LinuxContainerUser',
  DaemonEndpoint: '1 Port *int32',
  DownwardAPIProjection: '1 items []DownwardAPIVolumeFile',
  DownwardAPIVolumeFile: `
    1 path *string
    2 fieldRef ObjectFieldSelector
    3 resourceFieldRef ResourceFieldSelector
    4 mode *int32`,
  DownwardAPIVolumeSource: '1 items []DownwardAPIVolumeFile; 2 defaultMode *int32',
  EmptyDirVolumeSource: '1 medium string; 2 sizeLimit Quantity',
  EndpointAddress: '1 ip *string; 3 hostname string; 4 nodeName *string; 2 targetRef ObjectReference',
  EndpointPort: '1 name string; 2 port *int32; 3 protocol string; 4 appProtocol *string',
  EndpointSubset: `
    1 addresses []EndpointAddress
    2 notReadyAddresses []EndpointAddress
    3 ports []EndpointPort`,
  Endpoints: '1 metadata meta.ObjectMeta; 2 subsets []EndpointSubset',
  EnvFromSource: '1 prefix string; 2 configMapRef ConfigMapEnvSource; 3 secretRef SecretEnvSource',
  EnvVar: '1 name *string; 2 value string; 3 valueFrom EnvVarSource',
  EnvVarSource: `
    1 fieldRef ObjectFieldSelector
    2 resourceFieldRef ResourceFieldSelector
    3 configMapKeyRef ConfigMapKeySelector
    4 secretKeyRef SecretKeySelector
    5 fileKeyRef FileKeySelector`,
  EphemeralContainer: `
    1 ephemeralContainerCommon EphemeralContainerCommon inline
    2 targetContainerName string`,
  EphemeralContainerCommon: CONTAINER_FIELDS,
  EphemeralVolumeSource: '1 volumeClaimTemplate PersistentVolumeClaimTemplate',
  Event: `
    1 metadata meta.ObjectMeta
    2 involvedObject ObjectReference
    3 reason string
    4 message string
    5 source EventSource
    6 firstTimestamp Time
    7 lastTimestamp Time
    8 count int32
    9 type string
    10 eventTime MicroTime
    11 series EventSeries
    12 action string
    13 related ObjectReference
    14 reportingComponent *string
    15 reportingInstance *string`,
  EventSeries: '1 count int32; 2 lastObservedTime MicroTime',
  EventSource: '1 component string; 2 host string',
  ExecAction: '1 command []string',
  FCVolumeSource: `
    1 targetWWNs []string
    2 lun *int32
    3 fsType string
    4 readOnly bool
    5 wwids []string`,
  FileKeySelector: '1 volumeName *string; 2 path *string; 3 key *string; 4 optional *bool',
  FlexPersistentVolumeSource: `
    1 driver *string
    2 fsType string
    3 secretRef SecretReference
    4 readOnly bool
    5 options map[string]string`,
  FlexVolumeSource: `
    1 driver *string
    2 fsType string
    3 secretRef LocalObjectReference
    4 readOnly bool
    5 options map[string]string`,
  FlockerVolumeSource: '1 datasetName string; 2 datasetUUID string',
  GCEPersistentDiskVolumeSource: '1 pdName *string; 2 fsType string; 3 partition int32; 4 readOnly bool',
  GRPCAction: '1 port *int32; 2 service *string',
  GitRepoVolumeSource: '1 repository *string; 2 revision string; 3 directory string',
  GlusterfsPersistentVolumeSource: `
    1 endpoints *string
    2 path *string
    3 readOnly bool
    4 endpointsNamespace *string`,
  GlusterfsVolumeSource: '1 endpoints *string; 2 path *string; 3 readOnly bool',
  HTTPGetAction: `
    1 path string
    2 port IntOrString
    3 host string
    4 scheme string
    5 httpHeaders []HTTPHeader`,
  HTTPHeader: '1 name *string; 2 value *string',
  HostAlias: '1 ip *string; 2 hostnames []string',
  HostIP: '1 ip *string',
  HostPathVolumeSource: '1 path *string; 2 type *string',
  ISCSIPersistentVolumeSource: `
    1 targetPortal *string
    2 iqn *string
    3 lun *int32
    4 iscsiInterface string
    5 fsType string
    6 readOnly bool
    7 portals []string
    8 chapAuthDiscovery bool
    11 chapAuthSession bool
    10 secretRef SecretReference
    12 initiatorName *string`,
  ISCSIVolumeSource: `
    1 targetPortal *string
    2 iqn *string
    3 lun *int32
    4 iscsiInterface string
    5 fsType string
    6 readOnly bool
    7 portals []string
    8 chapAuthDiscovery bool
    11 chapAuthSession bool
    10 secretRef LocalObjectReference
    12 initiatorName *string`,
  ImageVolumeSource: '1 reference string; 2 pullPolicy string',
  ImageVolumeStatus: '1 imageRef *string',
  KeyToPath: '1 key *string; 2 path *string; 3 mode *int32',
  Lifecycle: '1 postStart LifecycleHandler; 2 preStop LifecycleHandler; 3 stopSignal *string',
  LifecycleHandler: `
    1 exec ExecAction
    2 httpGet HTTPGetAction
    3 tcpSocket TCPSocketAction
    4 sleep SleepAction`,
  LinuxContainerUser: '1 uid *int64; 2 gid *int64; 3 supplementalGroups []int64',
  LoadBalancerIngress: '1 ip string; 2 hostname string; 3 ipMode *string; 4 ports []PortStatus',
  LoadBalancerStatus: '1 ingress []LoadBalancerIngress',
  LocalObjectReference: '1 name string',
  LocalVolumeSource: '1 path *string; 2 fsType *string',
  ModifyVolumeStatus: '1 targetVolumeAttributesClassName string; 2 status *string',
  NFSVolumeSource: '1 server *string; 2 path *string; 3 readOnly bool',
  Namespace: '1 metadata meta.ObjectMeta; 2 spec NamespaceSpec; 3 status NamespaceStatus',
  NamespaceCondition: `
    1 type *string
    2 status *string
    4 lastTransitionTime Time
    5 reason string
    6 message string`,
  NamespaceSpec: '1 finalizers []string',
  NamespaceStatus: '1 phase string; 2 conditions []NamespaceCondition',
  Node: '1 metadata meta.ObjectMeta; 2 spec NodeSpec; 3 status NodeStatus',
  NodeAddress: '1 type *string; 2 address *string',
  NodeAffinity: `
    1 requiredDuringSchedulingIgnoredDuringExecution NodeSelector
    2 preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm`,
  NodeCondition: `
    1 type *string
    2 status *string
    3 lastHeartbeatTime Time
    4 lastTransitionTime Time
    5 reason string
    6 message string`,
  NodeConfigSource: '2 configMap ConfigMapNodeConfigSource',
  NodeConfigStatus: `
    1 assigned NodeConfigSource
    2 active NodeConfigSource
    3 lastKnownGood NodeConfigSource
    4 error string`,
  NodeDaemonEndpoints: '1 kubeletEndpoint DaemonEndpoint',
  NodeFeatures: '1 supplementalGroupsPolicy *bool; 2 containerUlimits *bool',
  NodeRuntimeHandler: '1 name *string; 2 features NodeRuntimeHandlerFeatures',
  NodeRuntimeHandlerFeatures: '1 recursiveReadOnlyMounts *bool; 2 userNamespaces *bool',
  NodeSelector: '1 nodeSelectorTerms []NodeSelectorTerm',
  NodeSelectorRequirement: '1 key *string; 2 operator *string; 3 values []string',
  NodeSelectorTerm: '1 matchExpressions []NodeSelectorRequirement; 2 matchFields []NodeSelectorRequirement',
  NodeSpec: `
    1 podCIDR string
    7 podCIDRs []string
    3 providerID string
    4 unschedulable bool
    5 taints []Taint
    6 configSource NodeConfigSource
    2 externalID string`,
  NodeStatus: `
    1 capacity map[string]Quantity
    2 allocatable map[string]Quantity
    3 phase string
    4 conditions []NodeCondition
    5 addresses []NodeAddress
    6 daemonEndpoints NodeDaemonEndpoints
    7 nodeInfo NodeSystemInfo
    8 images []ContainerImage
    9 volumesInUse []string
    10 volumesAttached []AttachedVolume
    11 config NodeConfigStatus
    12 runtimeHandlers []NodeRuntimeHandler
    13 features NodeFeatures
    14 declaredFeatures []string`,
  NodeSwapStatus: '1 capacity *int64',
  NodeSystemInfo: `
    1 machineID *string
    2 systemUUID *string
    3 bootID *string
    4 kernelVersion *string
    5 osImage *string
    6 containerRuntimeVersion *string
    7 kubeletVersion *string
    8 kubeProxyVersion *string
    9 operatingSystem *string
    10 architecture *string
    11 swap NodeSwapStatus`,
  ObjectFieldSelector: '1 apiVersion string; 2 fieldPath *string',
  ObjectReference: `
    1 kind string
    2 namespace string
    3 name string
    4 uid string
    5 apiVersion string
    6 resourceVersion string
    7 fieldPath string`,
  PersistentVolume: '1 metadata meta.ObjectMeta; 2 spec PersistentVolumeSpec; 3 status PersistentVolumeStatus',
  PersistentVolumeClaim: `
    1 metadata meta.ObjectMeta
    2 spec PersistentVolumeClaimSpec
    3 status PersistentVolumeClaimStatus`,
  PersistentVolumeClaimCondition: `
    1 type *string
    2 status *string
    3 lastProbeTime Time
    4 lastTransitionTime Time
    5 reason string
    6 message string`,
  PersistentVolumeClaimSpec: `
    1 accessModes []string
    4 selector meta.LabelSelector
    2 resources VolumeResourceRequirements
    3 volumeName string
    5 storageClassName *string
    6 volumeMode *string
    7 dataSource TypedLocalObjectReference
    8 dataSourceRef TypedObjectReference
    9 volumeAttributesClassName *string`,
  PersistentVolumeClaimStatus: `
    1 phase string
    2 accessModes []string
    3 capacity map[string]Quantity
    4 conditions []PersistentVolumeClaimCondition
    5 allocatedResources map[string]Quantity
    7 allocatedResourceStatuses map[string]string
    8 currentVolumeAttributesClassName *string
    9 modifyVolumeStatus ModifyVolumeStatus`,
  PersistentVolumeClaimTemplate: '1 metadata meta.ObjectMeta; 2 spec PersistentVolumeClaimSpec',
  PersistentVolumeClaimVolumeSource: '1 claimName *string; 2 readOnly bool',
  PersistentVolumeSource: `
    1 gcePersistentDisk GCEPersistentDiskVolumeSource
    2 awsElasticBlockStore AWSElasticBlockStoreVolumeSource
    3 hostPath HostPathVolumeSource
    4 glusterfs GlusterfsPersistentVolumeSource
    5 nfs NFSVolumeSource
    6 rbd RBDPersistentVolumeSource
    7 iscsi ISCSIPersistentVolumeSource
    8 cinder CinderPersistentVolumeSource
    9 cephfs CephFSPersistentVolumeSource
    10 fc FCVolumeSource
    11 flocker FlockerVolumeSource
    12 flexVolume FlexPersistentVolumeSource
    13 azureFile AzureFilePersistentVolumeSource
    14 vsphereVolume VsphereVirtualDiskVolumeSource
    15 quobyte QuobyteVolumeSource
    16 azureDisk AzureDiskVolumeSource
    17 photonPersistentDisk PhotonPersistentDiskVolumeSource
    18 portworxVolume PortworxVolumeSource
    19 scaleIO ScaleIOPersistentVolumeSource
    20 local LocalVolumeSource
    21 storageos StorageOSPersistentVolumeSource
    22 csi CSIPersistentVolumeSource`,
  PersistentVolumeSpec: `
    1 capacity map[string]Quantity
    2 persistentVolumeSource PersistentVolumeSource inline
    3 accessModes []string
    4 claimRef ObjectReference
    5 persistentVolumeReclaimPolicy string
    6 storageClassName string
    7 mountOptions []string
    8 volumeMode *string
    9 nodeAffinity VolumeNodeAffinity
    10 volumeAttributesClassName *string`,
  PersistentVolumeStatus: '1 phase string; 2 message string; 3 reason string; 4 lastPhaseTransitionTime Time',
  PhotonPersistentDiskVolumeSource: '1 pdID *string; 2 fsType string',
  Pod: '1 metadata meta.ObjectMeta; 2 spec PodSpec; 3 status PodStatus',
  PodAffinity: `
    1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm
    2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm`,
  PodAffinityTerm: `
    1 labelSelector meta.LabelSelector
    2 namespaces []string
    3 topologyKey *string
    4 namespaceSelector meta.LabelSelector
    5 matchLabelKeys []string
    6 mismatchLabelKeys []string`,
  PodAntiAffinity: `
    1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm
    2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm`,
  PodCertificateProjection: `
    1 signerName *string
    2 keyType *string
    3 maxExpirationSeconds *int32
    4 credentialBundlePath string
    5 keyPath string
    6 certificateChainPath string
    7 userAnnotations map[string]string`,
  PodCondition: `
    1 type *string
    7 observedGeneration int64
    2 status *string
    3 lastProbeTime Time
    4 lastTransitionTime Time
    5 reason string
    6 message string`,
  PodDNSConfig: '1 nameservers []string; 2 searches []string; 3 options []PodDNSConfigOption',
  PodDNSConfigOption: '1 name string; 2 value *string',
  PodExtendedResourceClaimStatus: `
    1 requestMappings []ContainerExtendedResourceRequest
    2 resourceClaimName *string`,
  PodIP: '1 ip *string',
  PodOS: '1 name *string',
  PodReadinessGate: '1 conditionType *string',
  PodResourceClaim: '1 name *string; 3 resourceClaimName *string; 4 resourceClaimTemplateName *string',
  PodResourceClaimStatus: '1 name *string; 2 resourceClaimName *string',
  PodSchedulingGate: '1 name *string',
  PodSecurityContext: `
    1 seLinuxOptions SELinuxOptions
    8 windowsOptions WindowsSecurityContextOptions
    2 runAsUser *int64
    6 runAsGroup *int64
    3 runAsNonRoot *bool
    4 supplementalGroups []int64
    12 supplementalGroupsPolicy *string
    5 fsGroup *int64
    7 sysctls []Sysctl
    9 fsGroupChangePolicy *string
    10 seccompProfile SeccompProfile
    11 appArmorProfile AppArmorProfile
    13 seLinuxChangePolicy *string`,
});
