package io.scoring.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Parses every manifest under {@code deploy/k8s} with the fabric8 Kubernetes model (and the compose stack
 * under {@code deploy/compose}, and the Dockerfile as text) and checks what a reviewer would: that the
 * probes, ports, drain timing, resources and security context fit the gateway as it is built, and that
 * the objects select each other.
 *
 * <p>What the gateway is (its ports, health paths, settings) is written down here from its README rather
 * than read from the gateway module: deploy depends on no other module. A change there that breaks these
 * facts should break this test.
 */
class KubernetesManifestsTest
{
    /** The gateway's defaults (README "Configuration"). */
    private static final int HTTP_PORT = 8080;
    private static final int GRPC_PORT = 8081;
    private static final int ADMIN_PORT = 8082;
    private static final String READY_PATH = "/v2/health/ready";
    private static final String LIVE_PATH = "/v2/health/live";
    private static final String METRICS_PATH = "/metrics";
    private static final int DEFAULT_DRAIN_SECONDS = 20;
    /** Every key the gateway accepts in its --config file; any other key makes it exit 2. */
    private static final Set<String> CONFIG_FILE_KEYS = Set.of(
        "http-port", "grpc-port", "admin-port", "models", "state-dir", "features", "max-request-bytes",
        "max-rows", "drain-seconds", "io-threads");
    private static final String ADMIN_TOKEN_ENV = "SCORING_ADMIN_TOKEN";
    private static final String CONTAINER_NAME = "gateway";
    /** Time after the drain for the JVM to release the model sessions and exit. */
    private static final int SHUTDOWN_MARGIN_SECONDS = 5;
    /** What the JVM needs beside heap and direct buffers: ONNX Runtime, metaspace, code cache, threads. */
    private static final long NATIVE_HEADROOM_BYTES = 256L << 20;

    private static final Path DEPLOY = Path.of(System.getProperty("deploy.dir", ".")).toAbsolutePath().normalize();
    private static final Path K8S = DEPLOY.resolve("k8s");
    private static final Path COMPOSE = DEPLOY.resolve("compose");
    private static final Path DOCKERFILE = DEPLOY.resolve("Dockerfile");
    private static final String KUSTOMIZATION = "kustomization.yaml";
    private static final String EXAMPLE_SECRET = "secret.example.yaml";

    private static final YAMLMapper YAML = new YAMLMapper();

    /** file name -> the object it holds, for every manifest but the kustomization */
    private static final Map<String, HasMetadata> MANIFESTS = new LinkedHashMap<>();
    private static List<Instruction> dockerfile;

    @BeforeAll
    static void parseEverything() throws IOException
    {
        assertTrue(Files.isDirectory(K8S), "no k8s folder at " + K8S);
        final KubernetesSerialization serialization = new KubernetesSerialization();
        try (Stream<Path> files = Files.list(K8S))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList())
            {
                if (file.getFileName().toString().equals(KUSTOMIZATION))
                {
                    continue;
                }
                final Object parsed;
                try (InputStream in = Files.newInputStream(file))
                {
                    parsed = serialization.unmarshal(in);
                }
                if (!(parsed instanceof HasMetadata resource))
                {
                    fail(file.getFileName() + " must hold exactly one Kubernetes object, got " +
                        (null == parsed ? "nothing" : parsed.getClass().getSimpleName()));
                    return;
                }
                MANIFESTS.put(file.getFileName().toString(), resource);
            }
        }
        dockerfile = Instruction.parse(Files.readString(DOCKERFILE));
    }

    // ------------------------------------------------------------------------------------------------
    // parsing and the kustomization
    // ------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("every manifest parses as a Kubernetes object of a known kind, with no misspelled or misplaced field")
    void everyManifestIsAKnownKindWithoutUnknownFields()
    {
        final Set<String> kinds = new TreeSet<>();
        MANIFESTS.forEach((file, resource) ->
        {
            kinds.add(resource.getKind());
            assertNotNull(resource.getMetadata().getName(), file + " has no metadata.name");
            if (resource instanceof GenericKubernetesResource)
            {
                // the model has no class for it; only the Prometheus Operator's CRD may be generic
                assertEquals("ServiceMonitor", resource.getKind(), file + " is not a Kubernetes kind the model knows");
                assertEquals("monitoring.coreos.com/v1", resource.getApiVersion(), file);
            }
            else
            {
                final List<String> unknown = new ArrayList<>();
                collectUnknownFields(resource, resource.getKind(), unknown);
                assertTrue(unknown.isEmpty(), file + " has fields the Kubernetes API does not know (typo or wrong level): " + unknown);
            }
        });
        assertEquals(new TreeSet<>(List.of("ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Namespace",
            "PodDisruptionBudget", "Secret", "Service", "ServiceMonitor")), kinds);
    }

    @Test
    @DisplayName("the kustomization lists every manifest except the example Secret, and only files that exist")
    void kustomizationListsEveryManifest()
    {
        final JsonNode kustomization = yaml(K8S.resolve(KUSTOMIZATION));
        assertEquals("Kustomization", kustomization.path("kind").asString());
        final Set<String> listed = new TreeSet<>();
        for (final JsonNode resource : kustomization.path("resources").values())
        {
            listed.add(resource.asString());
            assertTrue(Files.isRegularFile(K8S.resolve(resource.asString())), "kustomization lists a missing file " + resource.asString());
        }
        final Set<String> expected = new TreeSet<>(MANIFESTS.keySet());
        expected.remove(EXAMPLE_SECRET);
        assertEquals(expected, listed, "kubectl apply -k must apply every manifest and never the placeholder Secret");
        final String namespace = kustomization.path("namespace").asString();
        assertEquals(namespace, only(Namespace.class).getMetadata().getName(), "the kustomization's namespace is the one namespace.yaml creates");
    }

    // ------------------------------------------------------------------------------------------------
    // probes, ports, Services
    // ------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("the readiness, liveness and startup probes ask the gateway's health endpoints on its HTTP port")
    void probesHitTheHealthEndpoints()
    {
        final Container gateway = gatewayContainer();
        assertHttpProbe(gateway, gateway.getReadinessProbe(), "readinessProbe", READY_PATH);
        assertHttpProbe(gateway, gateway.getLivenessProbe(), "livenessProbe", LIVE_PATH);
        final Probe startup = gateway.getStartupProbe();
        assertNotNull(startup, "no startupProbe: liveness would run (and restart the pod) while the models load and warm up");
        final String startupPath = startup.getHttpGet() == null ? null : startup.getHttpGet().getPath();
        assertTrue(LIVE_PATH.equals(startupPath) || READY_PATH.equals(startupPath), "the startupProbe asks " + startupPath);
        assertHttpProbe(gateway, startup, "startupProbe", startupPath);
    }

    @Test
    @DisplayName("readiness reacts within seconds, start-up gets minutes to load the models, and liveness never restarts a draining pod")
    void probeTimingsFitTheGateway()
    {
        final Container gateway = gatewayContainer();
        final Probe readiness = gateway.getReadinessProbe();
        final Probe startup = gateway.getStartupProbe();
        final Probe liveness = gateway.getLivenessProbe();
        assertNotNull(readiness, "no readinessProbe");
        assertNotNull(startup, "no startupProbe");
        assertNotNull(liveness, "no livenessProbe");
        assertEquals(2, readiness.getPeriodSeconds(), "readiness period");
        assertEquals(2, readiness.getFailureThreshold(), "readiness failureThreshold");
        assertTrue(windowSeconds(readiness) <= 5, "a not-ready pod must leave the endpoints within 5 s");

        assertTrue(windowSeconds(startup) >= 60, "the startupProbe allows only " + windowSeconds(startup) +
            " s for loading, validating and warming up the models");

        // while draining the listeners are closed and probes are refused: liveness must not kill the pod then
        assertTrue(windowSeconds(liveness) > drainSeconds(), "liveness gives up after " + windowSeconds(liveness) +
            " s, within a drain of " + drainSeconds() + " s");
    }

    @Test
    @DisplayName("the container ports are the gateway's defaults and agree with the ConfigMap")
    void containerPortsAreTheGatewaysPorts()
    {
        final Map<String, Integer> ports = gatewayContainer().getPorts().stream()
            .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertEquals(Map.of("http", HTTP_PORT, "grpc", GRPC_PORT, "admin", ADMIN_PORT), ports);
        gatewayContainer().getPorts().forEach(p -> assertTrue(p.getProtocol() == null || "TCP".equals(p.getProtocol()), p.toString()));

        final Properties config = gatewayProperties();
        assertEquals(HTTP_PORT, Integer.parseInt(config.getProperty("http-port", String.valueOf(HTTP_PORT))), "http-port in the ConfigMap");
        assertEquals(GRPC_PORT, Integer.parseInt(config.getProperty("grpc-port", String.valueOf(GRPC_PORT))), "grpc-port in the ConfigMap");
        assertEquals(ADMIN_PORT, Integer.parseInt(config.getProperty("admin-port", String.valueOf(ADMIN_PORT))), "admin-port in the ConfigMap");
    }

    @Test
    @DisplayName("the ConfigMap holds only settings the gateway knows, and the container reads it through --config")
    void configMapIsTheGatewaysConfigFile()
    {
        final Properties config = gatewayProperties();
        for (final String key : config.stringPropertyNames())
        {
            assertTrue(CONFIG_FILE_KEYS.contains(key), "the gateway exits on the unknown config key '" + key + "'");
        }
        assertTrue(config.containsKey("drain-seconds"), "drain-seconds belongs in the ConfigMap: the grace period is sized on it");

        final List<String> args = gatewayContainer().getArgs();
        final int at = args.indexOf("--config");
        assertTrue(at >= 0 && at + 1 < args.size(), "the container does not pass --config: " + args);
        final Path configFile = Path.of(args.get(at + 1));

        final ConfigMap configMap = only(ConfigMap.class);
        final VolumeMount mount = mountAt(configFile.getParent().toString());
        assertNotNull(mount, "nothing is mounted at " + configFile.getParent());
        final Volume volume = volume(mount.getName());
        assertNotNull(volume.getConfigMap(), "the volume at " + configFile.getParent() + " is not a ConfigMap");
        assertEquals(configMap.getMetadata().getName(), volume.getConfigMap().getName());
        final String fileName = configFile.getFileName().toString();
        final String key = volume.getConfigMap().getItems() == null || volume.getConfigMap().getItems().isEmpty()
            ? fileName
            : volume.getConfigMap().getItems().stream().filter(i -> fileName.equals(i.getPath())).findFirst()
                .orElseThrow(() -> new AssertionError("the ConfigMap volume has no item at " + fileName)).getKey();
        assertTrue(configMap.getData().containsKey(key), "the ConfigMap has no key " + key);
    }

    @Test
    @DisplayName("every Service selects the gateway's pods and forwards each port to the container port of the same number")
    void servicesForwardToTheContainerPorts()
    {
        final Map<String, String> podLabels = deployment().getSpec().getTemplate().getMetadata().getLabels();
        final List<Service> services = all(Service.class);
        assertEquals(3, services.size(), "predict, predict-headless and admin Services");
        for (final Service service : services)
        {
            final String name = service.getMetadata().getName();
            assertFalse(service.getSpec().getSelector() == null || service.getSpec().getSelector().isEmpty(), name + " has no selector");
            assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                name + " selects " + service.getSpec().getSelector() + ", the pods carry " + podLabels);
            for (final ServicePort port : service.getSpec().getPorts())
            {
                final int target = resolvePort(gatewayContainer(), port.getTargetPort() == null ? new IntOrString(port.getPort()) : port.getTargetPort(),
                    name + " port " + port.getName());
                assertEquals(port.getPort(), target, name + " port " + port.getName() + " should keep the gateway's port number");
                assertNotNull(port.getName(), name + " has an unnamed port");
            }
        }
    }

    @Test
    @DisplayName("the admin port is on the admin Service alone, and the admin Service exposes nothing else")
    void adminPortIsOnlyOnTheAdminService()
    {
        final Service admin = service("scoring-gateway-admin");
        assertEquals(1, admin.getSpec().getPorts().size(), "the admin Service exposes " + admin.getSpec().getPorts());
        final ServicePort adminPort = admin.getSpec().getPorts().get(0);
        assertEquals(ADMIN_PORT, resolvePort(gatewayContainer(), adminPort.getTargetPort(), "admin"));
        assertFalse("LoadBalancer".equals(admin.getSpec().getType()) || "NodePort".equals(admin.getSpec().getType()),
            "the admin API must not be exposed outside the cluster by its Service");

        for (final Service service : all(Service.class))
        {
            if (service == admin)
            {
                continue;
            }
            for (final ServicePort port : service.getSpec().getPorts())
            {
                assertNotEquals(ADMIN_PORT, resolvePort(gatewayContainer(), port.getTargetPort(), service.getMetadata().getName()),
                    service.getMetadata().getName() + " forwards to the admin port");
                assertNotEquals(ADMIN_PORT, port.getPort(), service.getMetadata().getName() + " listens on the admin port");
            }
        }

        final Service predict = service("scoring-gateway");
        final Set<Integer> predictTargets = predict.getSpec().getPorts().stream()
            .map(p -> resolvePort(gatewayContainer(), p.getTargetPort(), "predict")).collect(Collectors.toSet());
        assertEquals(Set.of(HTTP_PORT, GRPC_PORT), predictTargets, "the predict Service serves HTTP and gRPC");
        assertEquals("ClusterIP", Objects.requireNonNullElse(predict.getSpec().getType(), "ClusterIP"));
    }

    @Test
    @DisplayName("gRPC ports declare cleartext HTTP/2 and HTTP ports declare HTTP, so proxies and meshes speak the right protocol")
    void appProtocolsMatchThePorts()
    {
        for (final Service service : all(Service.class))
        {
            for (final ServicePort port : service.getSpec().getPorts())
            {
                final int target = resolvePort(gatewayContainer(), port.getTargetPort(), service.getMetadata().getName());
                final String expected = target == GRPC_PORT ? "kubernetes.io/h2c" : "http";
                assertEquals(expected, port.getAppProtocol(), service.getMetadata().getName() + " port " + port.getName());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // resources and the JVM
    // ------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("the pod requests CPU and memory, limits memory to its request, and tells the JVM how many CPUs it has")
    void resourcesAreSetAndTheJvmKnowsThem()
    {
        final Map<String, Quantity> requests = gatewayContainer().getResources().getRequests();
        final Map<String, Quantity> limits = gatewayContainer().getResources().getLimits();
        assertNotNull(requests, "no resource requests");
        assertNotNull(limits, "no resource limits");
        assertNotNull(requests.get("cpu"), "no CPU request");
        assertNotNull(requests.get("memory"), "no memory request");
        assertNotNull(limits.get("memory"), "no memory limit: the JVM would size its heap from the node's memory");
        assertEquals(0, amount(requests.get("memory")).compareTo(amount(limits.get("memory"))),
            "memory request and limit differ: the node could overcommit what the JVM pre-touches");

        final BigDecimal cpus = amount(requests.get("cpu"));
        assertTrue(cpus.compareTo(BigDecimal.ONE) >= 0, "less than one CPU requested");
        if (null == limits.get("cpu"))
        {
            // no CFS quota: the JVM sees the whole node unless told
            final String toolOptions = env("JAVA_TOOL_OPTIONS");
            assertNotNull(toolOptions, "with no CPU limit, JAVA_TOOL_OPTIONS must carry -XX:ActiveProcessorCount");
            final Matcher count = Pattern.compile("-XX:ActiveProcessorCount=(\\d+)").matcher(toolOptions);
            assertTrue(count.find(), "JAVA_TOOL_OPTIONS has no -XX:ActiveProcessorCount: " + toolOptions);
            assertEquals(cpus.setScale(0, java.math.RoundingMode.CEILING).intValueExact(), Integer.parseInt(count.group(1)),
                "the JVM's processor count should be the CPU request");
        }
        final String ioThreads = gatewayProperties().getProperty("io-threads", "0");
        assertTrue(Integer.parseInt(ioThreads) <= cpus.setScale(0, java.math.RoundingMode.CEILING).intValueExact(),
            "io-threads " + ioThreads + " exceeds the " + cpus + " CPUs requested");
    }

    @Test
    @DisplayName("the heap and direct-memory caps leave room under the memory limit for ONNX Runtime and the JVM's own memory")
    void heapFitsUnderTheMemoryLimit()
    {
        final List<String> entrypoint = entrypoint();
        final int ramPercentage = Integer.parseInt(jvmFlag(entrypoint, "-XX:MaxRAMPercentage=")
            .orElseThrow(() -> new AssertionError("the image sets no -XX:MaxRAMPercentage")).split("\\.")[0]);
        final long limit = amount(gatewayContainer().getResources().getLimits().get("memory")).longValueExact();
        final long heap = limit * ramPercentage / 100;
        final long direct = jvmFlag(entrypoint, "-XX:MaxDirectMemorySize=").map(KubernetesManifestsTest::jvmSize).orElse(heap);
        assertTrue(heap + direct + NATIVE_HEADROOM_BYTES <= limit, String.format(Locale.ROOT,
            "heap %d MiB + direct %d MiB + %d MiB native leave no room in a %d MiB limit",
            heap >> 20, direct >> 20, NATIVE_HEADROOM_BYTES >> 20, limit >> 20));
    }

    // ------------------------------------------------------------------------------------------------
    // security
    // ------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("the pod runs as the image's non-root user with a read-only root file system, no privilege escalation and no capabilities")
    void securityContextIsRestricted()
    {
        final PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        final PodSecurityContext podContext = pod.getSecurityContext();
        final SecurityContext context = gatewayContainer().getSecurityContext();
        assertNotNull(context, "the container has no securityContext");

        final Boolean runAsNonRoot = context.getRunAsNonRoot() != null ? context.getRunAsNonRoot()
            : podContext == null ? null : podContext.getRunAsNonRoot();
        assertEquals(Boolean.TRUE, runAsNonRoot, "runAsNonRoot");
        final Long runAsUser = context.getRunAsUser() != null ? context.getRunAsUser()
            : podContext == null ? null : podContext.getRunAsUser();
        assertNotNull(runAsUser, "runAsUser");
        assertNotEquals(0L, runAsUser.longValue(), "runAsUser 0 is root");
        assertEquals(imageUid(), runAsUser.longValue(), "the pod's user should be the image's USER, which owns the state dir");

        assertEquals(Boolean.TRUE, context.getReadOnlyRootFilesystem(), "readOnlyRootFilesystem");
        assertEquals(Boolean.FALSE, context.getAllowPrivilegeEscalation(), "allowPrivilegeEscalation");
        assertNotEquals(Boolean.TRUE, context.getPrivileged(), "privileged");
        assertNotNull(context.getCapabilities(), "capabilities");
        assertEquals(List.of("ALL"), context.getCapabilities().getDrop(), "capabilities.drop");
        assertTrue(context.getCapabilities().getAdd() == null || context.getCapabilities().getAdd().isEmpty(), "capabilities.add");

        final String seccomp = context.getSeccompProfile() != null ? context.getSeccompProfile().getType()
            : podContext == null || podContext.getSeccompProfile() == null ? null : podContext.getSeccompProfile().getType();
        assertEquals("RuntimeDefault", seccomp, "seccompProfile");

        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "the gateway needs no API-server token");
        assertNotEquals(Boolean.TRUE, pod.getHostNetwork(), "hostNetwork");
        assertNotEquals(Boolean.TRUE, pod.getHostPID(), "hostPID");
        assertNotEquals(Boolean.TRUE, pod.getHostIPC(), "hostIPC");
    }

    @Test
    @DisplayName("every path the gateway writes is a volume, because the root file system is read-only")
    void writablePathsAreVolumes()
    {
        final List<String> command = new ArrayList<>(entrypoint());
        command.addAll(Objects.requireNonNullElse(gatewayContainer().getArgs(), List.of()));
        final int at = command.lastIndexOf("--state-dir");
        assertTrue(at >= 0, "neither the image nor the container sets --state-dir; the default is relative to the working directory");
        final String stateDir = command.get(at + 1);

        for (final String path : List.of(stateDir, "/tmp"))
        {
            final VolumeMount mount = mountAt(path);
            assertNotNull(mount, "nothing writable is mounted at " + path);
            assertNotEquals(Boolean.TRUE, mount.getReadOnly(), path + " is mounted read-only");
            final Volume volume = volume(mount.getName());
            assertNotNull(volume.getEmptyDir(), path + " should be an emptyDir");
            assertNotNull(volume.getEmptyDir().getSizeLimit(), path + " has no sizeLimit: it could fill the node's disk");
        }
    }

    @Test
    @DisplayName("the admin token comes from a Secret, and the example Secret is a placeholder that kustomize never applies")
    void adminTokenComesFromASecret()
    {
        final EnvVar token = gatewayContainer().getEnv().stream().filter(e -> ADMIN_TOKEN_ENV.equals(e.getName())).findFirst()
            .orElseThrow(() -> new AssertionError("no " + ADMIN_TOKEN_ENV + ": the admin API would listen on loopback only"));
        assertNull(token.getValue(), "the admin token is written into the Deployment");
        assertNotNull(token.getValueFrom(), ADMIN_TOKEN_ENV + " has no valueFrom");
        final SecretKeySelector ref = token.getValueFrom().getSecretKeyRef();
        assertNotNull(ref, ADMIN_TOKEN_ENV + " does not come from a Secret");

        final Secret example = (Secret)MANIFESTS.get(EXAMPLE_SECRET);
        assertNotNull(example, "no " + EXAMPLE_SECRET + " showing the Secret's shape");
        assertEquals(example.getMetadata().getName(), ref.getName(), "the Deployment reads a Secret the example does not describe");
        final Map<String, String> values = new LinkedHashMap<>();
        if (example.getStringData() != null)
        {
            values.putAll(example.getStringData());
        }
        if (example.getData() != null)
        {
            values.putAll(example.getData());
        }
        assertTrue(values.containsKey(ref.getKey()), "the example Secret has no key " + ref.getKey());
        assertTrue(values.get(ref.getKey()).toUpperCase(Locale.ROOT).contains("REPLACE"),
            "the example Secret's value should be an obvious placeholder, not a usable token");
    }

    @Test
    @DisplayName("no Service can inject an environment variable that the gateway would read as a setting")
    void serviceLinksCannotOverrideSettings()
    {
        assertEquals(Boolean.FALSE, deployment().getSpec().getTemplate().getSpec().getEnableServiceLinks(),
            "enableServiceLinks must be false: the gateway reads every SCORING_<SETTING> variable");
        // and even with service links on, none of our Services' variables may collide with a setting
        final Set<String> settingVariables = CONFIG_FILE_KEYS.stream()
            .map(k -> "SCORING_" + k.toUpperCase(Locale.ROOT).replace('-', '_')).collect(Collectors.toSet());
        settingVariables.add("SCORING_CONFIG");
        for (final Service service : all(Service.class))
        {
            final String prefix = service.getMetadata().getName().toUpperCase(Locale.ROOT).replace('-', '_');
            for (final String injected : List.of(prefix + "_PORT", prefix + "_SERVICE_HOST", prefix + "_SERVICE_PORT"))
            {
                assertFalse(settingVariables.contains(injected), "Service " + service.getMetadata().getName() + " would inject " + injected);
            }
        }
        for (final EnvVar env : gatewayContainer().getEnv())
        {
            if (env.getName().startsWith("SCORING_"))
            {
                assertTrue(settingVariables.contains(env.getName()) || ADMIN_TOKEN_ENV.equals(env.getName()),
                    env.getName() + " is not a variable the gateway reads");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // shutdown, scaling, disruption, scraping
    // ------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("the grace period outlasts the preStop sleep plus the gateway's drain, so SIGKILL never cuts a drain short")
    void gracePeriodCoversPreStopAndDrain()
    {
        final LifecycleHandler preStop = gatewayContainer().getLifecycle() == null ? null : gatewayContainer().getLifecycle().getPreStop();
        assertNotNull(preStop, "no preStop hook: SIGTERM would close the listeners while endpoints still route to the pod");
        final long sleep;
        if (preStop.getSleep() != null)
        {
            sleep = preStop.getSleep().getSeconds();
        }
        else
        {
            assertNotNull(preStop.getExec(), "the preStop hook neither sleeps nor execs");
            final List<String> command = preStop.getExec().getCommand();
            assertEquals("sleep", Path.of(command.get(0)).getFileName().toString(), "the preStop hook runs " + command);
            sleep = Long.parseLong(command.get(command.size() - 1));
        }
        assertTrue(sleep >= 3, "a preStop sleep of " + sleep + " s is too short for endpoint removal to propagate");

        final Long grace = deployment().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertNotNull(grace, "terminationGracePeriodSeconds unset (the default 30 s is not sized for this)");
        assertTrue(grace >= sleep + drainSeconds() + SHUTDOWN_MARGIN_SECONDS, String.format(Locale.ROOT,
            "terminationGracePeriodSeconds %d < preStop %d + drain %d + margin %d", grace, sleep, drainSeconds(), SHUTDOWN_MARGIN_SECONDS));
    }

    @Test
    @DisplayName("a rolling update brings a new pod up before it takes an old one down")
    void rollingUpdateKeepsCapacity()
    {
        final RollingUpdateDeployment rolling = deployment().getSpec().getStrategy().getRollingUpdate();
        assertEquals("RollingUpdate", deployment().getSpec().getStrategy().getType());
        assertNotNull(rolling);
        assertEquals(0, rolling.getMaxUnavailable().getIntVal(), "maxUnavailable");
        assertTrue(rolling.getMaxSurge().getIntVal() != null && rolling.getMaxSurge().getIntVal() >= 1, "maxSurge");
    }

    @Test
    @DisplayName("the HPA scales the Deployment from 3 to 20 replicas at 60 % CPU, and the Deployment leaves the count to it")
    void hpaScalesTheDeployment()
    {
        final HorizontalPodAutoscaler hpa = only(HorizontalPodAutoscaler.class);
        assertEquals("autoscaling/v2", hpa.getApiVersion());
        assertEquals("apps/v1", hpa.getSpec().getScaleTargetRef().getApiVersion());
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(deployment().getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
        assertEquals(3, hpa.getSpec().getMinReplicas());
        assertEquals(20, hpa.getSpec().getMaxReplicas());
        final MetricSpec cpu = hpa.getSpec().getMetrics().stream()
            .filter(m -> "Resource".equals(m.getType()) && "cpu".equals(m.getResource().getName())).findFirst()
            .orElseThrow(() -> new AssertionError("the HPA does not scale on CPU"));
        assertEquals("Utilization", cpu.getResource().getTarget().getType());
        assertEquals(60, cpu.getResource().getTarget().getAverageUtilization());
        assertNull(deployment().getSpec().getReplicas(),
            "spec.replicas in the Deployment resets the HPA's count on every kubectl apply");
    }

    @Test
    @DisplayName("the disruption budget covers the gateway's pods and lets at most one go while the HPA keeps three")
    void pdbCoversThePods()
    {
        final PodDisruptionBudget pdb = only(PodDisruptionBudget.class);
        assertEquals("policy/v1", pdb.getApiVersion());
        assertTrue(selects(pdb.getSpec().getSelector(), podLabels()), "the PDB's selector misses the gateway's pods");
        final int minReplicas = only(HorizontalPodAutoscaler.class).getSpec().getMinReplicas();
        if (pdb.getSpec().getMaxUnavailable() != null)
        {
            assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal(), "maxUnavailable");
        }
        else
        {
            final IntOrString minAvailable = pdb.getSpec().getMinAvailable();
            assertNotNull(minAvailable, "the PDB sets neither maxUnavailable nor minAvailable");
            assertNotNull(minAvailable.getIntVal(), "minAvailable as a count");
            assertTrue(minAvailable.getIntVal() < minReplicas, "minAvailable " + minAvailable.getIntVal() +
                " would block every eviction at " + minReplicas + " replicas");
        }
    }

    @Test
    @DisplayName("the ServiceMonitor scrapes /metrics on the http port of the predict Service and of no other Service")
    void serviceMonitorScrapesThePredictService()
    {
        final GenericKubernetesResource monitor = only(GenericKubernetesResource.class);
        assertEquals("ServiceMonitor", monitor.getKind());
        final Map<String, Object> spec = map(monitor.getAdditionalProperties().get("spec"), "spec");
        final LabelSelector selector = new KubernetesSerialization().convertValue(spec.get("selector"), LabelSelector.class);
        final Service predict = service("scoring-gateway");
        for (final Service service : all(Service.class))
        {
            assertEquals(service == predict, selects(selector, service.getMetadata().getLabels()),
                "the ServiceMonitor " + (service == predict ? "misses " : "also selects ") + service.getMetadata().getName());
        }
        assertNull(spec.get("namespaceSelector"), "the ServiceMonitor should look in its own namespace, the gateway's");

        final List<?> endpoints = (List<?>)spec.get("endpoints");
        assertNotNull(endpoints, "the ServiceMonitor has no endpoints");
        assertEquals(1, endpoints.size());
        final Map<String, Object> endpoint = map(endpoints.get(0), "endpoint");
        assertEquals("http", endpoint.get("port"), "the ServiceMonitor's port is a port name of the Service");
        final ServicePort http = predict.getSpec().getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
            .orElseThrow(() -> new AssertionError("the predict Service has no port named http"));
        assertEquals(HTTP_PORT, resolvePort(gatewayContainer(), http.getTargetPort(), "http"), "metrics are on the HTTP port");
        assertEquals(METRICS_PATH, endpoint.get("path"));
        assertEquals("15s", endpoint.get("interval"));
    }

    @Test
    @DisplayName("every label selector matches the labels of the pods it is meant to select")
    void selectorsMatchTheTemplate()
    {
        final Deployment deployment = deployment();
        assertTrue(selects(deployment.getSpec().getSelector(), podLabels()), "the Deployment's selector misses its own template");
        final List<TopologySpreadConstraint> spread = deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
        assertNotNull(spread, "no topologySpreadConstraints: all replicas could land on one node");
        assertTrue(spread.stream().anyMatch(c -> "kubernetes.io/hostname".equals(c.getTopologyKey())), "no spread across nodes");
        for (final TopologySpreadConstraint constraint : spread)
        {
            assertTrue(selects(constraint.getLabelSelector(), podLabels()),
                "the spread constraint on " + constraint.getTopologyKey() + " counts other pods than the gateway's");
        }
        assertTrue(selects(only(PodDisruptionBudget.class).getSpec().getSelector(), podLabels()), "the PDB's selector");
        for (final Service service : all(Service.class))
        {
            assertTrue(selects(new LabelSelector(null, service.getSpec().getSelector()), podLabels()), service.getMetadata().getName());
        }
        // and the selector is not so loose that other workloads' pods match it
        assertTrue(deployment.getSpec().getSelector().getMatchLabels().size() >= 2, "a one-label selector is easy to collide with");
    }

    // ------------------------------------------------------------------------------------------------
    // the image
    // ------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("the image exposes the container's ports, checks readiness on the HTTP port, stops on SIGTERM and runs the jar in exec form")
    void dockerfileAgreesWithTheManifests()
    {
        final List<Instruction> froms = instructions("FROM");
        assertTrue(froms.size() >= 2, "not a multi-stage build");
        assertTrue(froms.get(0).arguments().startsWith("maven:"), "the build stage is " + froms.get(0).arguments());
        assertTrue(froms.get(froms.size() - 1).arguments().matches("eclipse-temurin:17-jre\\S*"), "the runtime stage is " + froms.get(froms.size() - 1).arguments());

        final Set<Integer> exposed = instructions("EXPOSE").stream().flatMap(i -> Stream.of(i.arguments().split("\\s+")))
            .map(p -> Integer.parseInt(p.replace("/tcp", ""))).collect(Collectors.toSet());
        final Set<Integer> containerPorts = gatewayContainer().getPorts().stream().map(ContainerPort::getContainerPort).collect(Collectors.toSet());
        assertEquals(containerPorts, exposed, "EXPOSE and the Deployment's container ports differ");

        final String healthcheck = instructions("HEALTHCHECK").get(0).arguments();
        assertTrue(healthcheck.contains(READY_PATH), "the HEALTHCHECK does not ask " + READY_PATH);
        assertTrue(healthcheck.contains(String.valueOf(HTTP_PORT)), "the HEALTHCHECK does not use the HTTP port");
        assertFalse(healthcheck.contains("curl") || healthcheck.contains("wget"), "the runtime image has no curl or wget");

        assertEquals("SIGTERM", instructions("STOPSIGNAL").get(0).arguments());

        final List<String> entrypoint = entrypoint();
        assertEquals("java", entrypoint.get(0));
        final int jar = entrypoint.indexOf("-jar");
        assertTrue(jar > 0, "no -jar in " + entrypoint);
        assertEquals("/app/scoring-gateway.jar", entrypoint.get(jar + 1));
        for (final String flag : List.of("-XX:+UseZGC", "-XX:+AlwaysPreTouch", "-XX:+ExitOnOutOfMemoryError"))
        {
            assertTrue(entrypoint.subList(0, jar).contains(flag), "the JVM runs without " + flag);
        }
        assertTrue(jvmFlag(entrypoint.subList(0, jar), "-XX:MaxRAMPercentage=").isPresent(), "no -XX:MaxRAMPercentage");
    }

    @Test
    @DisplayName("the TLS overlay mounts the certificate Secret as a directory, points the gateway at its files, probes over HTTPS")
    void tlsOverlayMountsTheCertificateSecret() throws IOException
    {
        final Path overlay = DEPLOY.resolve("k8s-tls");
        final JsonNode kustomization = yaml(overlay.resolve(KUSTOMIZATION));
        final List<String> resources = kustomization.path("resources").values().stream().map(JsonNode::asString).toList();
        assertEquals(List.of("../k8s"), resources, "the overlay patches the base manifests");
        final List<String> patches = kustomization.path("patches").values().stream().map(p -> p.path("path").asString()).toList();
        patches.forEach(p -> assertTrue(Files.isRegularFile(overlay.resolve(p)), "the overlay names a missing patch " + p));

        final Deployment patch;
        try (InputStream in = Files.newInputStream(overlay.resolve("deployment-tls.yaml")))
        {
            patch = new KubernetesSerialization().unmarshal(in, Deployment.class);
        }
        assertEquals(deployment().getMetadata().getName(), patch.getMetadata().getName(), "the patch targets the Deployment");
        final PodSpec pod = patch.getSpec().getTemplate().getSpec();
        final Container gateway = pod.getContainers().get(0);
        assertEquals(CONTAINER_NAME, gateway.getName());
        final Volume tls = pod.getVolumes().stream().filter(v -> null != v.getSecret()).findFirst()
            .orElseThrow(() -> new AssertionError("no Secret volume"));
        final VolumeMount mount = gateway.getVolumeMounts().stream().filter(m -> tls.getName().equals(m.getName())).findFirst()
            .orElseThrow(() -> new AssertionError("the Secret volume is not mounted"));
        assertTrue(Boolean.TRUE.equals(mount.getReadOnly()), "the certificate mount is read-only");
        assertTrue(null == mount.getSubPath() || mount.getSubPath().isEmpty(), "a subPath mount would never see a renewal");
        final Map<String, String> env = gateway.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertEquals(mount.getMountPath() + "/tls.crt", env.get("SCORING_TLS_CERT"), "the certificate is the Secret's tls.crt");
        assertEquals(mount.getMountPath() + "/tls.key", env.get("SCORING_TLS_KEY"), "the key is the Secret's tls.key");
        for (final Probe probe : List.of(gateway.getStartupProbe(), gateway.getReadinessProbe(), gateway.getLivenessProbe()))
        {
            assertEquals("HTTPS", probe.getHttpGet().getScheme(), "probes speak HTTPS to a TLS listener");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // the compose stack
    // ------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("compose builds the gateway from deploy/Dockerfile, publishes HTTP and gRPC, keeps admin on loopback, and waits out the drain")
    void composeGatewayService()
    {
        final JsonNode compose = yaml(COMPOSE.resolve("compose.yaml"));
        final JsonNode gateway = compose.path("services").path("gateway");
        assertFalse(gateway.isMissingNode(), "compose.yaml has no gateway service");

        final Path context = COMPOSE.resolve(gateway.path("build").path("context").asString()).normalize();
        assertTrue(Files.isRegularFile(context.resolve("pom.xml")), "the build context " + context + " is not the reactor root");
        assertEquals(DOCKERFILE, context.resolve(gateway.path("build").path("dockerfile").asString()).normalize(), "the gateway is not built from deploy/Dockerfile");

        final Map<Integer, String> published = new LinkedHashMap<>();
        for (final JsonNode port : gateway.path("ports").values())
        {
            final String[] parts = port.asString().replace("/tcp", "").split(":");
            final int container = Integer.parseInt(parts[parts.length - 1]);
            published.put(container, parts.length == 3 ? parts[0] : "0.0.0.0");
        }
        assertEquals(Set.of(HTTP_PORT, GRPC_PORT, ADMIN_PORT), published.keySet(), "published container ports");
        assertEquals("127.0.0.1", published.get(ADMIN_PORT), "the admin port is published beyond loopback");

        assertFalse(gateway.path("environment").path(ADMIN_TOKEN_ENV).isMissingNode(), "no admin token: the admin API would not be reachable through the published port");
        final JsonNode test = gateway.path("healthcheck").path("test");
        assertTrue(test.toString().contains(READY_PATH) && test.toString().contains(String.valueOf(HTTP_PORT)),
            "the compose healthcheck does not ask " + READY_PATH + " on " + HTTP_PORT);
        assertTrue(seconds(gateway.path("stop_grace_period").asString("10s")) > drainSeconds(),
            "stop_grace_period is shorter than the drain");

        final String tmpfs = gateway.path("tmpfs").toString();
        if (gateway.path("read_only").asBoolean(false))
        {
            assertTrue(tmpfs.contains("/tmp") && tmpfs.contains("exec") && !tmpfs.contains("noexec"),
                "a read-only gateway needs an exec-able /tmp for ONNX Runtime's native library: " + tmpfs);
        }
    }

    @Test
    @DisplayName("compose's Prometheus scrapes the gateway's /metrics and loads the alert rules mounted into it")
    void composePrometheusScrapesTheGateway()
    {
        final JsonNode compose = yaml(COMPOSE.resolve("compose.yaml"));
        final JsonNode prometheusService = compose.path("services").path("prometheus");
        final Map<String, Path> mounts = bindMounts(prometheusService);
        final Path configSource = mounts.get("/etc/prometheus/prometheus.yml");
        assertNotNull(configSource, "compose does not mount a prometheus.yml at /etc/prometheus/prometheus.yml");
        final JsonNode prometheus = yaml(configSource);

        boolean scrapesGateway = false;
        for (final JsonNode job : prometheus.path("scrape_configs").values())
        {
            for (final JsonNode staticConfig : job.path("static_configs").values())
            {
                for (final JsonNode target : staticConfig.path("targets").values())
                {
                    if (target.asString().equals("gateway:" + HTTP_PORT))
                    {
                        scrapesGateway = true;
                        assertEquals(METRICS_PATH, job.path("metrics_path").asString(METRICS_PATH), "the gateway's job scrapes the wrong path");
                    }
                }
            }
        }
        assertTrue(scrapesGateway, "prometheus.yml has no target gateway:" + HTTP_PORT);
        assertFalse(compose.path("services").path("gateway").isMissingNode());

        final List<String> ruleFiles = new ArrayList<>();
        prometheus.path("rule_files").values().forEach(r -> ruleFiles.add(r.asString()));
        assertFalse(ruleFiles.isEmpty(), "Prometheus loads no alert rules");
        for (final String ruleFile : ruleFiles)
        {
            final Path source = mounts.get(ruleFile);
            assertNotNull(source, "the rule file " + ruleFile + " is not mounted into the Prometheus container");
            assertEquals(DEPLOY.resolve("prometheus/scoring-gateway-rules.yml"), source, "the mounted rules are not the project's");
        }
    }

    @Test
    @DisplayName("every file compose mounts exists, and Grafana is provisioned with the Prometheus datasource and the project's dashboard")
    void composeGrafanaIsProvisioned()
    {
        final JsonNode compose = yaml(COMPOSE.resolve("compose.yaml"));
        for (final Map.Entry<String, JsonNode> service : compose.path("services").properties())
        {
            bindMounts(service.getValue()).forEach((target, source) ->
                assertTrue(Files.exists(source), service.getKey() + " mounts " + source + ", which does not exist"));
        }

        final Map<String, Path> grafana = bindMounts(compose.path("services").path("grafana"));
        final Path datasources = grafana.get("/etc/grafana/provisioning/datasources");
        final Path dashboards = grafana.get("/etc/grafana/provisioning/dashboards");
        assertNotNull(datasources, "Grafana gets no datasource provisioning");
        assertNotNull(dashboards, "Grafana gets no dashboard provisioning");

        final List<JsonNode> sources = yamlFiles(datasources).stream().flatMap(f -> yaml(f).path("datasources").values().stream()).toList();
        final JsonNode prometheus = sources.stream().filter(d -> "prometheus".equals(d.path("type").asString())).findFirst()
            .orElseThrow(() -> new AssertionError("no Prometheus datasource"));
        assertEquals("http://prometheus:9090", prometheus.path("url").asString(), "the datasource does not point at the compose Prometheus");
        assertTrue(prometheus.path("isDefault").asBoolean(false), "the dashboard's ${DS_PROMETHEUS} variable picks the default datasource");

        final Path dashboardJson = DEPLOY.resolve("grafana/scoring-gateway-dashboard.json");
        final String dashboardTarget = grafana.entrySet().stream().filter(e -> e.getValue().equals(dashboardJson)).map(Map.Entry::getKey)
            .findFirst().orElseThrow(() -> new AssertionError("compose does not mount " + dashboardJson + " into Grafana"));
        final List<JsonNode> providers = yamlFiles(dashboards).stream().flatMap(f -> yaml(f).path("providers").values().stream()).toList();
        assertTrue(providers.stream().anyMatch(p -> "file".equals(p.path("type").asString())
                && Path.of(dashboardTarget).getParent().equals(Path.of(p.path("options").path("path").asString()))),
            "no file provider loads " + dashboardTarget);
    }

    // ------------------------------------------------------------------------------------------------
    // helpers
    // ------------------------------------------------------------------------------------------------

    private static <T extends HasMetadata> List<T> all(final Class<T> type)
    {
        return MANIFESTS.values().stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T only(final Class<T> type)
    {
        final List<T> found = all(type);
        assertEquals(1, found.size(), "expected exactly one " + type.getSimpleName() + " in deploy/k8s");
        return found.get(0);
    }

    private static Deployment deployment()
    {
        return only(Deployment.class);
    }

    private static Map<String, String> podLabels()
    {
        return deployment().getSpec().getTemplate().getMetadata().getLabels();
    }

    private static Container gatewayContainer()
    {
        final List<Container> containers = deployment().getSpec().getTemplate().getSpec().getContainers();
        return containers.stream().filter(c -> CONTAINER_NAME.equals(c.getName())).findFirst()
            .orElseThrow(() -> new AssertionError("no container named " + CONTAINER_NAME));
    }

    private static Service service(final String name)
    {
        return all(Service.class).stream().filter(s -> name.equals(s.getMetadata().getName())).findFirst()
            .orElseThrow(() -> new AssertionError("no Service " + name));
    }

    private static String env(final String name)
    {
        return gatewayContainer().getEnv().stream().filter(e -> name.equals(e.getName())).map(EnvVar::getValue).findFirst().orElse(null);
    }

    private static VolumeMount mountAt(final String path)
    {
        return gatewayContainer().getVolumeMounts().stream().filter(m -> Path.of(m.getMountPath()).equals(Path.of(path))).findFirst().orElse(null);
    }

    private static Volume volume(final String name)
    {
        return deployment().getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> name.equals(v.getName())).findFirst()
            .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static Properties gatewayProperties()
    {
        final ConfigMap configMap = only(ConfigMap.class);
        final String text = configMap.getData().get("gateway.properties");
        assertNotNull(text, "the ConfigMap has no gateway.properties");
        final Properties properties = new Properties();
        try
        {
            properties.load(new StringReader(text));
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        return properties;
    }

    private static int drainSeconds()
    {
        return Integer.parseInt(gatewayProperties().getProperty("drain-seconds", String.valueOf(DEFAULT_DRAIN_SECONDS)).trim());
    }

    private static void assertHttpProbe(final Container container, final Probe probe, final String what, final String path)
    {
        assertNotNull(probe, "no " + what);
        final HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, what + " is not an HTTP GET");
        assertEquals(path, get.getPath(), what + " path");
        assertEquals(HTTP_PORT, resolvePort(container, get.getPort(), what), what + " port");
        assertTrue(get.getScheme() == null || "HTTP".equals(get.getScheme()), what + " scheme");
    }

    private static int windowSeconds(final Probe probe)
    {
        return Objects.requireNonNullElse(probe.getPeriodSeconds(), 10) * Objects.requireNonNullElse(probe.getFailureThreshold(), 3);
    }

    /** A port given by name or number, as the container port it reaches; fails if the container has none such. */
    private static int resolvePort(final Container container, final IntOrString port, final String what)
    {
        assertNotNull(port, what + ": no port");
        if (port.getIntVal() != null)
        {
            assertTrue(container.getPorts().stream().anyMatch(p -> port.getIntVal().equals(p.getContainerPort())),
                what + ": the container does not declare port " + port.getIntVal());
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort)
            .findFirst().orElseThrow(() -> new AssertionError(what + ": the container has no port named " + port.getStrVal()));
    }

    /** Kubernetes' label-selector semantics: matchLabels and matchExpressions, all of them. */
    private static boolean selects(final LabelSelector selector, final Map<String, String> labels)
    {
        assertNotNull(selector, "a missing selector");
        final Map<String, String> have = Objects.requireNonNullElse(labels, Map.of());
        final Map<String, String> matchLabels = Objects.requireNonNullElse(selector.getMatchLabels(), Map.of());
        final List<LabelSelectorRequirement> expressions = Objects.requireNonNullElse(selector.getMatchExpressions(), List.of());
        assertFalse(matchLabels.isEmpty() && expressions.isEmpty(), "an empty selector selects everything");
        for (final Map.Entry<String, String> label : matchLabels.entrySet())
        {
            if (!label.getValue().equals(have.get(label.getKey())))
            {
                return false;
            }
        }
        for (final LabelSelectorRequirement requirement : expressions)
        {
            final String value = have.get(requirement.getKey());
            final List<String> values = Objects.requireNonNullElse(requirement.getValues(), List.of());
            final boolean ok = switch (requirement.getOperator())
            {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator " + requirement.getOperator());
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private static BigDecimal amount(final Quantity quantity)
    {
        return Quantity.getAmountInBytes(quantity);
    }

    /**
     * Walks a parsed object of the Kubernetes model: a field the model does not know lands in an
     * object's additionalProperties (it would be dropped, or rejected, by the API server).
     */
    private static void collectUnknownFields(final Object node, final String path, final List<String> unknown)
    {
        if (null == node)
        {
            return;
        }
        if (node instanceof Collection<?> list)
        {
            int i = 0;
            for (final Object element : list)
            {
                collectUnknownFields(element, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (node instanceof Map<?, ?> map)
        {
            map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model"))
        {
            return;
        }
        if (node instanceof Quantity || node instanceof IntOrString)
        {
            return; // scalars in YAML; nothing below them
        }
        for (final Method getter : node.getClass().getMethods())
        {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || !getter.getName().startsWith("get")
                || getter.getDeclaringClass() == Object.class)
            {
                continue;
            }
            final Object value;
            try
            {
                value = getter.invoke(node);
            }
            catch (final IllegalAccessException | InvocationTargetException ex)
            {
                continue;
            }
            if ("getAdditionalProperties".equals(getter.getName()))
            {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty())
                {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
                continue;
            }
            if (value instanceof Collection<?> || value instanceof Map<?, ?>
                || (value != null && value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")))
            {
                final String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                collectUnknownFields(value, path + "." + field, unknown);
            }
        }
    }

    private static JsonNode yaml(final Path file)
    {
        assertTrue(Files.isRegularFile(file), "no file " + file);
        try
        {
            return YAML.readTree(Files.readString(file));
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot read " + file, ex);
        }
    }

    private static List<Path> yamlFiles(final Path folder)
    {
        try (Stream<Path> files = Files.list(folder))
        {
            return files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot list " + folder, ex);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(final Object value, final String what)
    {
        assertTrue(value instanceof Map, what + " is not a mapping");
        return (Map<String, Object>)value;
    }

    /** A compose service's bind mounts (short syntax, relative sources): container path -> file on this machine. */
    private static Map<String, Path> bindMounts(final JsonNode service)
    {
        final Map<String, Path> mounts = new LinkedHashMap<>();
        for (final JsonNode volume : service.path("volumes").values())
        {
            final String[] parts = volume.asString().split(":");
            if (parts[0].startsWith(".") || parts[0].startsWith("/"))
            {
                mounts.put(parts[1], COMPOSE.resolve(parts[0]).normalize());
            }
        }
        return mounts;
    }

    /** A compose duration such as "30s", "1m30s" or "500ms", in whole seconds. */
    private static long seconds(final String duration)
    {
        final Matcher part = Pattern.compile("(\\d+)(ms|h|m|s)").matcher(duration);
        long millis = 0;
        int end = 0;
        while (part.find())
        {
            assertEquals(end, part.start(), "cannot read the duration " + duration);
            final long n = Long.parseLong(part.group(1));
            millis += switch (part.group(2))
            {
                case "h" -> n * 3_600_000;
                case "m" -> n * 60_000;
                case "s" -> n * 1_000;
                default -> n;
            };
            end = part.end();
        }
        assertEquals(duration.length(), end, "cannot read the duration " + duration);
        return millis / 1_000;
    }

    private static List<Instruction> instructions(final String keyword)
    {
        final List<Instruction> found = dockerfile.stream().filter(i -> i.keyword().equals(keyword)).toList();
        assertFalse(found.isEmpty(), "the Dockerfile has no " + keyword);
        return found;
    }

    /** The runtime stage's ENTRYPOINT, which must be in exec (JSON) form so that java is PID 1. */
    private static List<String> entrypoint()
    {
        final List<Instruction> entrypoints = instructions("ENTRYPOINT");
        final String json = entrypoints.get(entrypoints.size() - 1).arguments();
        assertTrue(json.startsWith("["), "ENTRYPOINT in shell form: a shell would be PID 1 and swallow SIGTERM");
        final List<String> command = new ArrayList<>();
        YAML.readTree(json).values().forEach(n -> command.add(n.asString()));
        return command;
    }

    private static long imageUid()
    {
        final List<Instruction> users = instructions("USER");
        final String user = users.get(users.size() - 1).arguments().split(":")[0];
        assertTrue(user.matches("\\d+"), "USER " + user + " is not numeric: Kubernetes cannot verify runAsNonRoot for a user name");
        return Long.parseLong(user);
    }

    private static java.util.Optional<String> jvmFlag(final List<String> command, final String prefix)
    {
        return command.stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).reduce((a, b) -> b);
    }

    private static long jvmSize(final String size)
    {
        final Matcher m = Pattern.compile("(\\d+)([kKmMgG]?)").matcher(size);
        assertTrue(m.matches(), "cannot read the JVM size " + size);
        final long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT))
        {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }

    /** One Dockerfile instruction, continuation lines joined, comments dropped. */
    record Instruction(String keyword, String arguments)
    {
        static List<Instruction> parse(final String text)
        {
            final List<Instruction> instructions = new ArrayList<>();
            final StringBuilder current = new StringBuilder();
            for (final String raw : text.split("\n"))
            {
                final String line = raw.strip();
                if (line.startsWith("#") || (line.isEmpty() && current.length() == 0))
                {
                    continue;
                }
                if (line.endsWith("\\"))
                {
                    current.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                current.append(line);
                final String instruction = current.toString().strip();
                current.setLength(0);
                if (instruction.isEmpty())
                {
                    continue;
                }
                final String[] parts = instruction.split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1].strip() : ""));
            }
            return instructions;
        }
    }
}
