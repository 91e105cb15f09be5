/// The shape of a v1 Pod as far as minipod knows it. The loader walks the
/// YAML against this so that every unknown, misplaced, mistyped or
/// unsupported field is reported with its path instead of being dropped.
indirect enum FieldType {
    case string
    case integer
    case boolean
    case intOrString
    /// `128Mi`, `0.5`, `2`: a number or a string, kept as the text written.
    case quantity
    case stringList
    case integerList
    case stringMap
    case quantityMap
    case object(ObjectSchema)
    case list(FieldType)
    /// A Kubernetes field minipod cannot honour: an error naming it.
    case unsupported(String)
    /// A Kubernetes field with no meaning on one host: a warning, value dropped.
    case ignored(String)
    /// Set by the API server, not the user (uid, status...): dropped silently,
    /// so `kubectl get -o yaml` output can be fed back in.
    case serverSet
}

struct ObjectSchema {
    var fields: [String: FieldType]
    /// Fields the Swift types hold as non-optional; a missing one gets an
    /// empty value so decoding succeeds and PodValidator names it.
    var required: Set<String> = []
}

enum ManifestSchema {
    static let pod = ObjectSchema(
        fields: [
            "apiVersion": .string, "kind": .string,
            "metadata": .object(metadata), "spec": .object(podSpec), "status": .serverSet,
        ], required: ["metadata", "spec"])

    static let metadata = ObjectSchema(
        fields: [
            "name": .string, "namespace": .string, "labels": .stringMap, "annotations": .stringMap,
            "generateName": .unsupported("generateName is not supported by minipod; set metadata.name"),
            "uid": .serverSet, "resourceVersion": .serverSet, "creationTimestamp": .serverSet,
            "generation": .serverSet, "selfLink": .serverSet, "managedFields": .serverSet,
            "deletionTimestamp": .serverSet, "deletionGracePeriodSeconds": .serverSet,
            "ownerReferences": .ignored(noEffect), "finalizers": .ignored(noEffect),
        ], required: ["name"])

    static let noEffect = "ignored by minipod (no controllers)"
    static let oneNode = "ignored by minipod (one node, no scheduler)"
    static let noAPI = "ignored by minipod (no API server or registry credentials)"

    static let podSpec = ObjectSchema(
        fields: [
            "containers": .list(.object(container)),
            "initContainers": .list(.object(container)),
            "volumes": .list(.object(volume)),
            "restartPolicy": .string, "terminationGracePeriodSeconds": .integer, "dnsPolicy": .string,
            "nodeName": .string, "hostNetwork": .boolean, "shareProcessNamespace": .boolean,
            "securityContext": .object(podSecurityContext), "hostname": .string, "subdomain": .string,
            "schedulerName": .string, "enableServiceLinks": .boolean,
            "hostAliases": .list(
                .object(
                    ObjectSchema(
                        fields: ["ip": .string, "hostnames": .stringList],
                        required: ["ip"]))),
            "dnsConfig": .object(
                ObjectSchema(fields: [
                    "nameservers": .stringList, "searches": .stringList,
                    "options": .list(.object(ObjectSchema(fields: ["name": .string, "value": .string]))),
                ])),
            "ephemeralContainers": unsupported("ephemeralContainers"),
            "hostPID": unsupported("hostPID"), "hostIPC": unsupported("hostIPC"),
            "hostUsers": .boolean, "runtimeClassName": unsupported("runtimeClassName"),
            "resourceClaims": unsupported("resourceClaims"), "resources": unsupported("pod-level resources"),
            "activeDeadlineSeconds": unsupported("activeDeadlineSeconds"),
            "setHostnameAsFQDN": unsupported("setHostnameAsFQDN"),
            "nodeSelector": .ignored(oneNode), "affinity": .ignored(oneNode), "tolerations": .ignored(oneNode),
            "topologySpreadConstraints": .ignored(oneNode), "priorityClassName": .ignored(oneNode),
            "priority": .ignored(oneNode), "preemptionPolicy": .ignored(oneNode),
            "schedulingGates": .ignored(oneNode), "overhead": .ignored(oneNode), "os": .ignored(oneNode),
            "readinessGates": .ignored(noEffect),
            "serviceAccountName": .ignored(noAPI), "serviceAccount": .ignored(noAPI),
            "automountServiceAccountToken": .ignored(noAPI), "imagePullSecrets": .ignored(noAPI),
        ], required: ["containers"])

    static let podSecurityContext = ObjectSchema(fields: [
        "runAsUser": .integer, "runAsGroup": .integer, "runAsNonRoot": .boolean, "fsGroup": .integer,
        "supplementalGroups": .integerList, "seccompProfile": .object(seccompProfile),
        "sysctls": unsupported("sysctls"), "supplementalGroupsPolicy": unsupported("supplementalGroupsPolicy"),
        "fsGroupChangePolicy": .ignored(noEffect), "seLinuxOptions": .ignored(noSELinux),
        "seLinuxChangePolicy": .ignored(noSELinux), "windowsOptions": .ignored(noWindows),
        "appArmorProfile": .ignored(noAppArmor),
    ])

    static let noSELinux = "ignored by minipod (no SELinux labelling)"
    static let noWindows = "ignored by minipod (Linux only)"
    static let noAppArmor = "ignored by minipod (no AppArmor profiles)"

    static let container = ObjectSchema(
        fields: [
            "name": .string, "image": .string, "command": .stringList, "args": .stringList,
            "workingDir": .string,
            "ports": .list(
                .object(
                    ObjectSchema(
                        fields: [
                            "name": .string, "hostPort": .integer, "containerPort": .integer,
                            "protocol": .string, "hostIP": .string,
                        ], required: ["containerPort"]))),
            "env": .list(.object(envVar)),
            "envFrom": .unsupported("envFrom is not supported by minipod (no ConfigMaps or Secrets); list the variables under env"),
            "resources": .object(
                ObjectSchema(fields: [
                    "limits": .quantityMap, "requests": .quantityMap, "claims": unsupported("resources.claims"),
                ])),
            "restartPolicy": .string,
            "volumeMounts": .list(
                .object(
                    ObjectSchema(
                        fields: [
                            "name": .string, "mountPath": .string, "readOnly": .boolean, "subPath": .string,
                            "mountPropagation": unsupported("mountPropagation"), "subPathExpr": .string,
                            "recursiveReadOnly": unsupported("recursiveReadOnly"),
                        ], required: ["name", "mountPath"]))),
            "volumeDevices": unsupported("volumeDevices"),
            "livenessProbe": .object(probe), "readinessProbe": .object(probe), "startupProbe": .object(probe),
            "lifecycle": .object(
                ObjectSchema(fields: [
                    "postStart": .object(lifecycleHandler), "preStop": .object(lifecycleHandler),
                    "stopSignal": unsupported("lifecycle.stopSignal"),
                ])),
            "terminationMessagePath": .string, "terminationMessagePolicy": .string,
            "imagePullPolicy": .string, "securityContext": .object(securityContext),
            "stdin": .boolean, "stdinOnce": .boolean, "tty": .boolean,
            "resizePolicy": .ignored("ignored by minipod (no in-place resize)"),
            "restartPolicyRules": unsupported("restartPolicyRules"),
        ], required: ["name", "image"])

    static let envVar = ObjectSchema(
        fields: [
            "name": .string, "value": .string,
            "valueFrom": .object(
                ObjectSchema(fields: [
                    "fieldRef": .object(
                        ObjectSchema(
                            fields: ["apiVersion": .string, "fieldPath": .string],
                            required: ["fieldPath"])),
                    "configMapKeyRef": unsupported("valueFrom.configMapKeyRef (no ConfigMaps)"),
                    "secretKeyRef": unsupported("valueFrom.secretKeyRef (no Secrets)"),
                    "resourceFieldRef": unsupported("valueFrom.resourceFieldRef"),
                    "fileKeyRef": unsupported("valueFrom.fileKeyRef"),
                ])),
        ], required: ["name"])

    static let seccompProfile = ObjectSchema(
        fields: ["type": .string, "localhostProfile": .string],
        required: ["type"])

    static let securityContext = ObjectSchema(fields: [
        "capabilities": .object(ObjectSchema(fields: ["add": .stringList, "drop": .stringList])),
        "privileged": .boolean, "runAsUser": .integer, "runAsGroup": .integer, "runAsNonRoot": .boolean,
        "readOnlyRootFilesystem": .boolean, "allowPrivilegeEscalation": .boolean,
        "seccompProfile": .object(seccompProfile),
        "procMount": unsupported("procMount"), "seLinuxOptions": .ignored(noSELinux),
        "windowsOptions": .ignored(noWindows), "appArmorProfile": .ignored(noAppArmor),
    ])

    static let httpGet = ObjectSchema(
        fields: [
            "path": .string, "port": .intOrString, "host": .string, "scheme": .string,
            "httpHeaders": .list(
                .object(
                    ObjectSchema(
                        fields: ["name": .string, "value": .string],
                        required: ["name", "value"]))),
        ], required: ["port"])

    static let exec = ObjectSchema(fields: ["command": .stringList])

    static let probe = ObjectSchema(fields: [
        "exec": .object(exec), "httpGet": .object(httpGet),
        "tcpSocket": .object(ObjectSchema(fields: ["port": .intOrString, "host": .string], required: ["port"])),
        "grpc": unsupported("grpc probes"),
        "initialDelaySeconds": .integer, "timeoutSeconds": .integer, "periodSeconds": .integer,
        "successThreshold": .integer, "failureThreshold": .integer, "terminationGracePeriodSeconds": .integer,
    ])

    static let lifecycleHandler = ObjectSchema(fields: [
        "exec": .object(exec), "httpGet": .object(httpGet),
        "sleep": .object(ObjectSchema(fields: ["seconds": .integer], required: ["seconds"])),
        "tcpSocket": unsupported("tcpSocket lifecycle handlers (Kubernetes ignores them too)"),
    ])

    static let supportedVolumeTypes = ["emptyDir", "hostPath"]
    static let unsupportedVolumeTypes = [
        "configMap", "secret", "persistentVolumeClaim", "projected", "downwardAPI", "nfs", "csi",
        "ephemeral", "image", "iscsi", "rbd", "cephfs", "cinder", "fc", "flocker", "azureDisk",
        "azureFile", "vsphereVolume", "quobyte", "portworxVolume", "scaleIO", "storageos",
        "photonPersistentDisk", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "glusterfs",
        "flexVolume",
    ]

    static let volume: ObjectSchema = {
        var fields: [String: FieldType] = [
            "name": .string,
            "emptyDir": .object(ObjectSchema(fields: ["medium": .string, "sizeLimit": .quantity])),
            "hostPath": .object(ObjectSchema(fields: ["path": .string, "type": .string], required: ["path"])),
        ]
        for kind in unsupportedVolumeTypes {
            fields[kind] = .unsupported("volume type \"\(kind)\" is not supported by minipod (only emptyDir and hostPath)")
        }
        return ObjectSchema(fields: fields, required: ["name"])
    }()

    static func unsupported(_ what: String) -> FieldType {
        .unsupported("\(what) is not supported by minipod")
    }
}
