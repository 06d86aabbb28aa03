// What the Kubernetes 1.32 object model adds to, removes from or rewords in the
// kubernetes-types package (1.30.0, its newest release), for the modules the served
// kinds reach: declaration text in the subset of TypeScript that dts.ts parses, laid
// over the package's module of the same name by mergeModule. A member declared here
// replaces the package's member of that name or is added; one typed `never` is removed;
// an interface's JSDoc replaces the package's description of it.
//
// The fields and types are those of k8s.io/api and k8s.io/apimachinery at release 1.32
// (staging/src/k8s.io/api/core/v1/types.go and friends) that release 1.30 does not
// have, in core/v1, meta/v1 and coordination/v1 (a Lease's coordinated-election fields):
// no field or type of apps/v1, discovery/v1, storage/v1, events/v1, autoscaling/v1 or
// policy/v1 changed (apps/v1 has reworded doc text only). Each addition names the release it came in and, while it is not GA in
// 1.32, the feature gate a real cluster needs for it; ordinal accepts and keeps these
// fields as a cluster with those gates on does. Descriptions are Kubernetes' own doc
// text of 1.32 (what `kubectl explain` prints there), including the doc text 1.31 and
// 1.32 revised for fields that 1.30 already had (deprecations, beta notes, and so on).
//
// Left out on purpose: PodLogOptions.stream (1.32; a query parameter of pods/log, not part
// of any served schema) and meta/v1 FieldSelectorRequirement (1.31; only authorization
// kinds use it).

export const KUBERNETES_1_32_SUPPLEMENT: Readonly<Record<string, string>> = {
  'core/v1': `import { Quantity } from "../api/resource";
import { Time } from "../meta/v1";

// Doc text as Kubernetes 1.32 words it.
/** Binding ties one object to another; for example, a pod is bound to a node by a scheduler. */
export interface Binding {
}

// Doc text as Kubernetes 1.32 words it.
/** Represents storage that is managed by an external CSI volume driver */
export interface CSIPersistentVolumeSource {
}

export interface ContainerStatus {
    // Added in Kubernetes 1.31, alpha: feature gate ResourceHealthStatus.
    /** AllocatedResourcesStatus represents the status of various resources allocated for this Pod. */
    allocatedResourcesStatus?: Array<ResourceStatus>;
    // Added in Kubernetes 1.31, alpha: feature gate SupplementalGroupsPolicy.
    /** User represents user identity information initially attached to the first process of the container */
    user?: ContainerUser;
}

// Added in Kubernetes 1.31, alpha: feature gate SupplementalGroupsPolicy.
/** ContainerUser represents user identity information */
export interface ContainerUser {
    /** Linux holds user identity information initially attached to the first process of the containers in Linux. Note that the actual running identity can be changed if the process has enough privilege to do so. */
    linux?: LinuxContainerUser;
}

// Added in Kubernetes 1.31, alpha: feature gate ImageVolume.
/** ImageVolumeSource represents a image volume resource. */
export interface ImageVolumeSource {
    /** Policy for pulling OCI objects. Possible values are: Always: the kubelet always attempts to pull the reference. Container creation will fail If the pull fails. Never: the kubelet never pulls the reference and only uses a local image or artifact. Container creation will fail if the reference isn't present. IfNotPresent: the kubelet pulls if the reference isn't already present on disk. Container creation will fail if the reference isn't present and the pull fails. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. */
    pullPolicy?: string;
    /** Required: Image or artifact reference to be used. Behaves in the same way as pod.spec.containers[*].image. Pull secrets will be assembled in the same way as for the container image by looking up node credentials, SA image pull secrets, and pod spec image pull secrets. More info: https://kubernetes.io/docs/concepts/containers/images This field is optional to allow higher level config management to default or override container images in workload controllers like Deployments and StatefulSets. */
    reference?: string;
}

export interface LifecycleHandler {
    // Doc text as Kubernetes 1.32 words it:
    /** Exec specifies a command to execute in the container. */
    exec?: ExecAction;
    /** HTTPGet specifies an HTTP GET request to perform. */
    httpGet?: HTTPGetAction;
    /** Sleep represents a duration that the container should sleep. */
    sleep?: SleepAction;
    /** Deprecated. TCPSocket is NOT supported as a LifecycleHandler and kept for backward compatibility. There is no validation of this field and lifecycle hooks will fail at runtime when it is specified. */
    tcpSocket?: TCPSocketAction;
}

// Added in Kubernetes 1.31, alpha: feature gate SupplementalGroupsPolicy.
/** LinuxContainerUser represents user identity information in Linux containers */
export interface LinuxContainerUser {
    /** GID is the primary gid initially attached to the first process in the container */
    gid: number;
    /** SupplementalGroups are the supplemental groups initially attached to the first process in the container */
    supplementalGroups?: Array<number>;
    /** UID is the primary uid initially attached to the first process in the container */
    uid: number;
}

// Doc text as Kubernetes 1.32 words it.
/** Local represents directly-attached storage with node affinity */
export interface LocalVolumeSource {
}

// Added in Kubernetes 1.31, alpha: feature gate SupplementalGroupsPolicy.
/** NodeFeatures describes the set of features implemented by the CRI implementation. The features contained in the NodeFeatures should depend only on the cri implementation independent of runtime handlers. */
export interface NodeFeatures {
    /** SupplementalGroupsPolicy is set to true if the runtime supports SupplementalGroupsPolicy and ContainerUser. */
    supplementalGroupsPolicy?: boolean;
}

// Doc text as Kubernetes 1.32 words it.
/** NodeRuntimeHandlerFeatures is a set of features implemented by the runtime handler. */
export interface NodeRuntimeHandlerFeatures {
    // Added in Kubernetes 1.31: feature gate UserNamespacesSupport.
    /** UserNamespaces is set to true if the runtime handler supports UserNamespaces, including for volumes. */
    userNamespaces?: boolean;
}

export interface NodeStatus {
    // Added in Kubernetes 1.31, alpha: feature gate SupplementalGroupsPolicy.
    /** Features describes the set of features implemented by the CRI implementation. */
    features?: NodeFeatures;
    // Doc text as Kubernetes 1.32 words it:
    /** List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP). */
    addresses?: Array<NodeAddress>;
    /** Capacity represents the total resources of a node. More info: https://kubernetes.io/docs/reference/node/node-status/#capacity */
    capacity?: {
        [name: string]: Quantity;
    };
    /** Conditions is an array of current observed node conditions. More info: https://kubernetes.io/docs/reference/node/node-status/#condition */
    conditions?: Array<NodeCondition>;
    /** Set of ids/uuids to uniquely identify the node. More info: https://kubernetes.io/docs/reference/node/node-status/#info */
    nodeInfo?: NodeSystemInfo;
}

export interface PersistentVolumeClaimSpec {
    // Doc text as Kubernetes 1.32 words it:
    /** volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim. If specified, the CSI driver will create or update the volume with the attributes defined in the corresponding VolumeAttributesClass. This has a different purpose than storageClassName, it can be changed after the claim is created. An empty string value means that no VolumeAttributesClass will be applied to the claim but it's not allowed to reset this field to empty string once it is set. If unspecified and the PersistentVolumeClaim is unbound, the default VolumeAttributesClass will be set by the persistentvolume controller if it exists. If the resource referred to by volumeAttributesClass does not exist, this PersistentVolumeClaim will be set to a Pending state, as reflected by the modifyVolumeStatus field, until such as a resource exists. More info: https://kubernetes.io/docs/concepts/storage/volume-attributes-classes/ (Beta) Using this field requires the VolumeAttributesClass feature gate to be enabled (off by default). */
    volumeAttributesClassName?: string;
}

export interface PersistentVolumeClaimStatus {
    // Doc text as Kubernetes 1.32 words it:
    /** currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using. When unset, there is no VolumeAttributeClass applied to this PersistentVolumeClaim This is a beta field and requires enabling VolumeAttributesClass feature (off by default). */
    currentVolumeAttributesClassName?: string;
    /** ModifyVolumeStatus represents the status object of ControllerModifyVolume operation. When this is unset, there is no ModifyVolume operation being attempted. This is a beta field and requires enabling VolumeAttributesClass feature (off by default). */
    modifyVolumeStatus?: ModifyVolumeStatus;
}

export interface PersistentVolumeSpec {
    // Doc text as Kubernetes 1.32 words it:
    /** awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Deprecated: AWSElasticBlockStore is deprecated. All operations for the in-tree awsElasticBlockStore type are redirected to the ebs.csi.aws.com CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore */
    awsElasticBlockStore?: AWSElasticBlockStoreVolumeSource;
    /** azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod. Deprecated: AzureDisk is deprecated. All operations for the in-tree azureDisk type are redirected to the disk.csi.azure.com CSI driver. */
    azureDisk?: AzureDiskVolumeSource;
    /** azureFile represents an Azure File Service mount on the host and bind mount to the pod. Deprecated: AzureFile is deprecated. All operations for the in-tree azureFile type are redirected to the file.csi.azure.com CSI driver. */
    azureFile?: AzureFilePersistentVolumeSource;
    /** cinder represents a cinder volume attached and mounted on kubelets host machine. Deprecated: Cinder is deprecated. All operations for the in-tree cinder type are redirected to the cinder.csi.openstack.org CSI driver. More info: https://examples.k8s.io/mysql-cinder-pd/README.md */
    cinder?: CinderPersistentVolumeSource;
    /** csi represents storage that is handled by an external CSI driver. */
    csi?: CSIPersistentVolumeSource;
    /** flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin. Deprecated: FlexVolume is deprecated. Consider using a CSIDriver instead. */
    flexVolume?: FlexPersistentVolumeSource;
    /** gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Provisioned by an admin. Deprecated: GCEPersistentDisk is deprecated. All operations for the in-tree gcePersistentDisk type are redirected to the pd.csi.storage.gke.io CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk */
    gcePersistentDisk?: GCEPersistentDiskVolumeSource;
    /** glusterfs represents a Glusterfs volume that is attached to a host and exposed to the pod. Provisioned by an admin. Deprecated: Glusterfs is deprecated and the in-tree glusterfs type is no longer supported. More info: https://examples.k8s.io/volumes/glusterfs/README.md */
    glusterfs?: GlusterfsPersistentVolumeSource;
    /** rbd represents a Rados Block Device mount on the host that shares a pod's lifetime. Deprecated: RBD is deprecated and the in-tree rbd type is no longer supported. More info: https://examples.k8s.io/volumes/rbd/README.md */
    rbd?: RBDPersistentVolumeSource;
    /** scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes. Deprecated: ScaleIO is deprecated and the in-tree scaleIO type is no longer supported. */
    scaleIO?: ScaleIOPersistentVolumeSource;
    /** storageOS represents a StorageOS volume that is attached to the kubelet's host machine and mounted into the pod. Deprecated: StorageOS is deprecated and the in-tree storageos type is no longer supported. More info: https://examples.k8s.io/volumes/storageos/README.md */
    storageos?: StorageOSPersistentVolumeSource;
    /** Name of VolumeAttributesClass to which this persistent volume belongs. Empty value is not allowed. When this field is not set, it indicates that this volume does not belong to any VolumeAttributesClass. This field is mutable and can be changed by the CSI driver after a volume has been updated successfully to a new class. For an unbound PersistentVolume, the volumeAttributesClassName will be matched with unbound PersistentVolumeClaims during the binding process. This is a beta field and requires enabling VolumeAttributesClass feature (off by default). */
    volumeAttributesClassName?: string;
}

export interface PersistentVolumeStatus {
    // Doc text as Kubernetes 1.32 words it:
    /** lastPhaseTransitionTime is the time the phase transitioned from one to another and automatically resets to current time everytime a volume phase transitions. */
    lastPhaseTransitionTime?: Time;
}

export interface PodAffinityTerm {
    // Doc text as Kubernetes 1.32 words it:
    /** MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with \`labelSelector\` as \`key in (value)\` to select the group of existing pods which pods will be taken into consideration for the incoming pod's pod (anti) affinity. Keys that don't exist in the incoming pod labels will be ignored. The default value is empty. The same key is forbidden to exist in both matchLabelKeys and labelSelector. Also, matchLabelKeys cannot be set when labelSelector isn't set. This is a beta field and requires enabling MatchLabelKeysInPodAffinity feature gate (enabled by default). */
    matchLabelKeys?: Array<string>;
    /** MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with \`labelSelector\` as \`key notin (value)\` to select the group of existing pods which pods will be taken into consideration for the incoming pod's pod (anti) affinity. Keys that don't exist in the incoming pod labels will be ignored. The default value is empty. The same key is forbidden to exist in both mismatchLabelKeys and labelSelector. Also, mismatchLabelKeys cannot be set when labelSelector isn't set. This is a beta field and requires enabling MatchLabelKeysInPodAffinity feature gate (enabled by default). */
    mismatchLabelKeys?: Array<string>;
}

// Doc text as Kubernetes 1.32 words it.
/**
 * PodResourceClaim references exactly one ResourceClaim, either directly or by naming a ResourceClaimTemplate which is then turned into a ResourceClaim for the pod.
 *
 * It adds a name to it that uniquely identifies the ResourceClaim inside the Pod. Containers that need access to the ResourceClaim reference it with this name.
 */
export interface PodResourceClaim {
    // Added in Kubernetes 1.31: DynamicResourceAllocation (beta in 1.32).
    /**
     * ResourceClaimName is the name of a ResourceClaim object in the same namespace as this pod.
     *
     * Exactly one of ResourceClaimName and ResourceClaimTemplateName must be set.
     */
    resourceClaimName?: string;
    // Added in Kubernetes 1.31: DynamicResourceAllocation (beta in 1.32).
    /**
     * ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this pod.
     *
     * The template will be used to create a new ResourceClaim, which will be bound to this pod. When this pod is deleted, the ResourceClaim will also be deleted. The pod name and resource name, along with a generated component, will be used to form a unique name for the ResourceClaim, which will be recorded in pod.status.resourceClaimStatuses.
     *
     * This field is immutable and no changes will be made to the corresponding ResourceClaim by the control plane after creating the ResourceClaim.
     *
     * Exactly one of ResourceClaimName and ResourceClaimTemplateName must be set.
     */
    resourceClaimTemplateName?: string;
    // Removed in Kubernetes 1.31, with ClaimSource: its fields moved up into PodResourceClaim.
    source?: never;
}

export interface PodResourceClaimStatus {
    // Doc text as Kubernetes 1.32 words it:
    /** ResourceClaimName is the name of the ResourceClaim that was generated for the Pod in the namespace of the Pod. If this is unset, then generating a ResourceClaim was not necessary. The pod.spec.resourceClaims entry can be ignored in this case. */
    resourceClaimName?: string;
}

export interface PodSecurityContext {
    // Added in Kubernetes 1.32, alpha: feature gate SELinuxChangePolicy.
    /**
     * seLinuxChangePolicy defines how the container's SELinux label is applied to all volumes used by the Pod. It has no effect on nodes that do not support SELinux or to volumes does not support SELinux. Valid values are "MountOption" and "Recursive".
     *
     * "Recursive" means relabeling of all files on all Pod volumes by the container runtime. This may be slow for large volumes, but allows mixing privileged and unprivileged Pods sharing the same volume on the same node.
     *
     * "MountOption" mounts all eligible Pod volumes with \`-o context\` mount option. This requires all Pods that share the same volume to use the same SELinux label. It is not possible to share the same volume among privileged and unprivileged Pods. Eligible volumes are in-tree FibreChannel and iSCSI volumes, and all CSI volumes whose CSI driver announces SELinux support by setting spec.seLinuxMount: true in their CSIDriver instance. Other volumes are always re-labelled recursively. "MountOption" value is allowed only when SELinuxMount feature gate is enabled.
     *
     * If not specified and SELinuxMount feature gate is enabled, "MountOption" is used. If not specified and SELinuxMount feature gate is disabled, "MountOption" is used for ReadWriteOncePod volumes and "Recursive" for all other volumes.
     *
     * This field affects only Pods that have SELinux label set, either in PodSecurityContext or in SecurityContext of all containers.
     *
     * All Pods that use the same volume should use the same seLinuxChangePolicy, otherwise some pods can get stuck in ContainerCreating state. Note that this field cannot be set when spec.os.name is windows.
     */
    seLinuxChangePolicy?: string;
    // Added in Kubernetes 1.31, alpha: feature gate SupplementalGroupsPolicy.
    /** Defines how supplemental groups of the first container processes are calculated. Valid values are "Merge" and "Strict". If not specified, "Merge" is used. (Alpha) Using the field requires the SupplementalGroupsPolicy feature gate to be enabled and the container runtime must implement support for this feature. Note that this field cannot be set when spec.os.name is windows. */
    supplementalGroupsPolicy?: string;
    // Doc text as Kubernetes 1.32 words it:
    /** A list of groups applied to the first process run in each container, in addition to the container's primary GID and fsGroup (if specified).  If the SupplementalGroupsPolicy feature is enabled, the supplementalGroupsPolicy field determines whether these are in addition to or instead of any group memberships defined in the container image. If unspecified, no additional groups are added, though group memberships defined in the container image may still be used, depending on the supplementalGroupsPolicy field. Note that this field cannot be set when spec.os.name is windows. */
    supplementalGroups?: Array<number>;
}

export interface PodSpec {
    // Added in Kubernetes 1.32, alpha: feature gate PodLevelResources.
    /**
     * Resources is the total amount of CPU and Memory resources required by all containers in the pod. It supports specifying Requests and Limits for "cpu" and "memory" resource names only. ResourceClaims are not supported.
     *
     * This field enables fine-grained control over resource allocation for the entire pod, allowing resource sharing among containers in a pod.
     *
     * This is an alpha field and requires enabling the PodLevelResources feature gate.
     */
    resources?: ResourceRequirements;
    // Doc text as Kubernetes 1.32 words it:
    /** NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename */
    nodeName?: string;
    /**
     * Specifies the OS of the containers in the pod. Some pod and container fields are restricted if this is set.
     *
     * If the OS field is set to linux, the following fields must be unset: -securityContext.windowsOptions
     *
     * If the OS field is set to windows, following fields must be unset: - spec.hostPID - spec.hostIPC - spec.hostUsers - spec.securityContext.appArmorProfile - spec.securityContext.seLinuxOptions - spec.securityContext.seccompProfile - spec.securityContext.fsGroup - spec.securityContext.fsGroupChangePolicy - spec.securityContext.sysctls - spec.shareProcessNamespace - spec.securityContext.runAsUser - spec.securityContext.runAsGroup - spec.securityContext.supplementalGroups - spec.securityContext.supplementalGroupsPolicy - spec.containers[*].securityContext.appArmorProfile - spec.containers[*].securityContext.seLinuxOptions - spec.containers[*].securityContext.seccompProfile - spec.containers[*].securityContext.capabilities - spec.containers[*].securityContext.readOnlyRootFilesystem - spec.containers[*].securityContext.privileged - spec.containers[*].securityContext.allowPrivilegeEscalation - spec.containers[*].securityContext.procMount - spec.containers[*].securityContext.runAsUser - spec.containers[*].securityContext.runAsGroup
     */
    os?: PodOS;
}

export interface PodStatus {
    // Doc text as Kubernetes 1.32 words it:
    /** Statuses of containers in this pod. Each container in the pod should have at most one status in this list, and all statuses should be for containers in the pod. However this is not enforced. If a status for a non-existent container is present in the list, or the list has duplicate names, the behavior of various Kubernetes components is not defined and those statuses might be ignored. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-and-container-status */
    containerStatuses?: Array<ContainerStatus>;
    /** Statuses for any ephemeral containers that have run in this pod. Each ephemeral container in the pod should have at most one status in this list, and all statuses should be for containers in the pod. However this is not enforced. If a status for a non-existent container is present in the list, or the list has duplicate names, the behavior of various Kubernetes components is not defined and those statuses might be ignored. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#pod-and-container-status */
    ephemeralContainerStatuses?: Array<ContainerStatus>;
    /** Statuses of init containers in this pod. The most recent successful non-restartable init container will have ready = true, the most recently started container will have startTime set. Each init container in the pod should have at most one status in this list, and all statuses should be for containers in the pod. However this is not enforced. If a status for a non-existent container is present in the list, or the list has duplicate names, the behavior of various Kubernetes components is not defined and those statuses might be ignored. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-and-container-status */
    initContainerStatuses?: Array<ContainerStatus>;
}

export interface Probe {
    // Doc text as Kubernetes 1.32 words it:
    /** Exec specifies a command to execute in the container. */
    exec?: ExecAction;
    /** GRPC specifies a GRPC HealthCheckRequest. */
    grpc?: GRPCAction;
    /** HTTPGet specifies an HTTP GET request to perform. */
    httpGet?: HTTPGetAction;
    /** TCPSocket specifies a connection to a TCP port. */
    tcpSocket?: TCPSocketAction;
}

export interface ResourceClaim {
    // Added in Kubernetes 1.31: DynamicResourceAllocation (beta in 1.32).
    /** Request is the name chosen for a request in the referenced claim. If empty, everything from the claim is made available, otherwise only the result of this request. */
    request?: string;
}

// Added in Kubernetes 1.31, alpha: feature gate ResourceHealthStatus.
/** ResourceHealth represents the health of a resource. It has the latest device health information. This is a part of KEP https://kep.k8s.io/4680. */
export interface ResourceHealth {
    /**
     * Health of the resource. can be one of:
     *  - Healthy: operates as normal
     *  - Unhealthy: reported unhealthy. We consider this a temporary health issue
     *               since we do not have a mechanism today to distinguish
     *               temporary and permanent issues.
     *  - Unknown: The status cannot be determined.
     *             For example, Device Plugin got unregistered and hasn't been re-registered since.
     *
     * In future we may want to introduce the PermanentlyUnhealthy Status.
     */
    health?: string;
    /** ResourceID is the unique identifier of the resource. See the ResourceID type for more information. */
    resourceID: string;
}

// Added in Kubernetes 1.31, alpha: feature gate ResourceHealthStatus.
/** ResourceStatus represents the status of a single resource allocated to a Pod. */
export interface ResourceStatus {
    /** Name of the resource. Must be unique within the pod and in case of non-DRA resource, match one of the resources from the pod spec. For DRA resources, the value must be "claim:<claim_name>/<request>". When this status is reported about a container, the "claim_name" and "request" must match one of the claims of this container. */
    name: string;
    /** List of unique resources health. Each element in the list contains an unique resource ID and its health. At a minimum, for the lifetime of a Pod, resource ID must uniquely identify the resource allocated to the Pod on the Node. If other Pod on the same Node reports the status with the same resource ID, it must be the same resource they share. See ResourceID type definition for a specific format it has in various use cases. */
    resources?: Array<ResourceHealth>;
}

export interface SecurityContext {
    // Doc text as Kubernetes 1.32 words it:
    /** procMount denotes the type of proc mount to use for the containers. The default value is Default which uses the container runtime defaults for readonly paths and masked paths. This requires the ProcMountType feature flag to be enabled. Note that this field cannot be set when spec.os.name is windows. */
    procMount?: string;
}

export interface ServiceAccount {
    // Doc text as Kubernetes 1.32 words it:
    /** Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". The "kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret */
    secrets?: Array<ObjectReference>;
}

export interface ServiceSpec {
    // Doc text as Kubernetes 1.32 words it:
    /** TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints. Implementations can use this field as a hint, but are not required to guarantee strict adherence. If the field is not set, the implementation will apply its default routing strategy. If set to "PreferClose", implementations should prioritize endpoints that are topologically close (e.g., same zone). This is a beta field and requires enabling ServiceTrafficDistribution feature. */
    trafficDistribution?: string;
}

export interface Volume {
    // Added in Kubernetes 1.31, alpha: feature gate ImageVolume.
    /**
     * image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet's host machine. The volume is resolved at pod startup depending on which PullPolicy value is provided:
     *
     * - Always: the kubelet always attempts to pull the reference. Container creation will fail If the pull fails. - Never: the kubelet never pulls the reference and only uses a local image or artifact. Container creation will fail if the reference isn't present. - IfNotPresent: the kubelet pulls if the reference isn't already present on disk. Container creation will fail if the reference isn't present and the pull fails.
     *
     * The volume gets re-resolved if the pod gets deleted and recreated, which means that new remote content will become available on pod recreation. A failure to resolve or pull the image during pod startup will block containers from starting and may add significant latency. Failures will be retried using normal volume backoff and will be reported on the pod reason and message. The types of objects that may be mounted by this volume are defined by the container runtime implementation on a host machine and at minimum must include all valid types supported by the container image field. The OCI object gets mounted in a single directory (spec.containers[*].volumeMounts.mountPath) by merging the manifest layers in the same way as for container images. The volume will be mounted read-only (ro) and non-executable files (noexec). Sub path mounts for containers are not supported (spec.containers[*].volumeMounts.subpath). The field spec.securityContext.fsGroupChangePolicy has no effect on this volume type.
     */
    image?: ImageVolumeSource;
    // Doc text as Kubernetes 1.32 words it:
    /** awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Deprecated: AWSElasticBlockStore is deprecated. All operations for the in-tree awsElasticBlockStore type are redirected to the ebs.csi.aws.com CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore */
    awsElasticBlockStore?: AWSElasticBlockStoreVolumeSource;
    /** azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod. Deprecated: AzureDisk is deprecated. All operations for the in-tree azureDisk type are redirected to the disk.csi.azure.com CSI driver. */
    azureDisk?: AzureDiskVolumeSource;
    /** azureFile represents an Azure File Service mount on the host and bind mount to the pod. Deprecated: AzureFile is deprecated. All operations for the in-tree azureFile type are redirected to the file.csi.azure.com CSI driver. */
    azureFile?: AzureFileVolumeSource;
    /** cinder represents a cinder volume attached and mounted on kubelets host machine. Deprecated: Cinder is deprecated. All operations for the in-tree cinder type are redirected to the cinder.csi.openstack.org CSI driver. More info: https://examples.k8s.io/mysql-cinder-pd/README.md */
    cinder?: CinderVolumeSource;
    /** csi (Container Storage Interface) represents ephemeral storage that is handled by certain external CSI drivers. */
    csi?: CSIVolumeSource;
    /** flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin. Deprecated: FlexVolume is deprecated. Consider using a CSIDriver instead. */
    flexVolume?: FlexVolumeSource;
    /** gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Deprecated: GCEPersistentDisk is deprecated. All operations for the in-tree gcePersistentDisk type are redirected to the pd.csi.storage.gke.io CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk */
    gcePersistentDisk?: GCEPersistentDiskVolumeSource;
    /** gitRepo represents a git repository at a particular revision. Deprecated: GitRepo is deprecated. To provision a container with a git repo, mount an EmptyDir into an InitContainer that clones the repo using git, then mount the EmptyDir into the Pod's container. */
    gitRepo?: GitRepoVolumeSource;
    /** glusterfs represents a Glusterfs mount on the host that shares a pod's lifetime. Deprecated: Glusterfs is deprecated and the in-tree glusterfs type is no longer supported. More info: https://examples.k8s.io/volumes/glusterfs/README.md */
    glusterfs?: GlusterfsVolumeSource;
    /** rbd represents a Rados Block Device mount on the host that shares a pod's lifetime. Deprecated: RBD is deprecated and the in-tree rbd type is no longer supported. More info: https://examples.k8s.io/volumes/rbd/README.md */
    rbd?: RBDVolumeSource;
    /** scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes. Deprecated: ScaleIO is deprecated and the in-tree scaleIO type is no longer supported. */
    scaleIO?: ScaleIOVolumeSource;
    /** storageOS represents a StorageOS volume attached and mounted on Kubernetes nodes. Deprecated: StorageOS is deprecated and the in-tree storageos type is no longer supported. */
    storageos?: StorageOSVolumeSource;
}
`,
  'apps/v1': `
export interface StatefulSetSpec {
    // Doc text as Kubernetes 1.32 words it:
    /** ordinals controls the numbering of replica indices in a StatefulSet. The default ordinals behavior assigns a "0" index to the first replica and increments the index by one for each additional replica requested. */
    ordinals?: StatefulSetOrdinals;
    /** persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates. By default, all persistent volume claims are created as needed and retained until manually deleted. This policy allows the lifecycle to be altered, for example by deleting persistent volume claims when their stateful set is deleted, or when their pod is scaled down. */
    persistentVolumeClaimRetentionPolicy?: StatefulSetPersistentVolumeClaimRetentionPolicy;
}
`,
  'coordination/v1': `
export interface LeaseSpec {
    // Doc text as Kubernetes 1.32 words it.
    /** holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field. */
    holderIdentity?: string;
    // Added in Kubernetes 1.31, alpha: feature gate CoordinatedLeaderElection (off: the API server drops it).
    /** Strategy indicates the strategy for picking the leader for coordinated leader election. If the field is not specified, there is no active coordination for this lease. (Alpha) Using this field requires the CoordinatedLeaderElection feature gate to be enabled. */
    strategy?: string;
    // Added in Kubernetes 1.31, alpha: feature gate CoordinatedLeaderElection (off: the API server drops it).
    /** PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up. This field can only be set if Strategy is also set. */
    preferredHolder?: string;
}
`,
  'meta/v1': `
export interface DeleteOptions {
    // Added in Kubernetes 1.32, alpha: feature gate AllowUnsafeMalformedObjectDeletion.
    /** if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error. A resource is considered corrupt if it can not be retrieved from the underlying storage successfully because of a) its data can not be transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe deletion ignores finalizer constraints, skips precondition checks, and removes the object from the storage. WARNING: This may potentially break the cluster if the workload associated with the resource being unsafe-deleted relies on normal deletion flow. Use only if you REALLY know what you are doing. The default value is false, and the user must opt in to enable it */
    ignoreStoreReadErrorWithClusterBreakingPotential?: boolean;
}
`,
};
