package io.chute.ops;

import static io.chute.ops.DeployedQueries.listOf;
import static io.chute.ops.DeployedQueries.mapOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/k8s, checked without a cluster: every document of the kustomize base is read into the
 * Kubernetes API model (fabric8's classes, generated from Kubernetes' OpenAPI) and must leave no
 * field unknown to it; KEDA's ScaledObject, outside that model, against the subset of its schema
 * used here; then the references between documents (selectors, ports, config, scale target).
 */
class K8sManifestsTest {

    private static final Path BASE = DeployedQueries.DEPLOY.resolve("k8s");
    private static final Map<String, Class<? extends HasMetadata>> MODEL = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "networking.k8s.io/v1/Ingress", Ingress.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);
    private static final String SCALED_OBJECT = "keda.sh/v1alpha1/ScaledObject";
    private static final ObjectMapper JACKSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static List<Map<String, Object>> documents;
    static List<HasMetadata> resources;

    @BeforeAll
    static void readTheBase() {
        documents = new ArrayList<>();
        for (Object file : (List<?>)
                DeployedQueries.yaml(BASE.resolve("kustomization.yaml")).get("resources")) {
            Path path = BASE.resolve((String) file);
            assertThat(path).as("a resource of kustomization.yaml").isRegularFile();
            try (Reader in = Files.newBufferedReader(path)) {
                StreamSupport.stream(new Yaml().loadAll(in).spliterator(), false)
                        .filter(d -> d != null)
                        .forEach(d -> documents.add(mapOf(d)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        resources = documents.stream()
                .filter(d -> !SCALED_OBJECT.equals(kindOf(d)))
                .map(d -> (HasMetadata) JACKSON.convertValue(d, modelOf(d)))
                .toList();
    }

    @Test
    void everyDocumentIsAKindOfTheKubernetesApiWithOnlyFieldsItKnows() {
        List<String> known = new ArrayList<>(MODEL.keySet());
        known.add(SCALED_OBJECT);
        assertThat(documents)
                .extracting(K8sManifestsTest::kindOf)
                .as("apiVersion/kind")
                .isSubsetOf(known)
                .contains(SCALED_OBJECT, "apps/v1/Deployment", "policy/v1/PodDisruptionBudget", "v1/Secret");
        for (HasMetadata resource : resources) {
            List<String> unknown = new ArrayList<>();
            unknownFields(
                    resource, resource.getKind() + "/" + resource.getMetadata().getName(), unknown);
            assertThat(unknown).as("fields the Kubernetes API does not know").isEmpty();
            assertThat(resource.getMetadata().getName()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        }
    }

    @Test
    void theBaseRunsApiWithGatewayAndWorkersAsSeparateDeploymentsBehindProbesAndDisruptionBudgets() {
        assertThat(deployments()).extracting(d -> roles(d)).containsExactlyInAnyOrder("api,gateway", "worker");
        for (Deployment deployment : deployments()) {
            Map<String, String> labels =
                    deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(labels)
                    .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
            Container chute =
                    deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
            assertProbe(chute, chute.getLivenessProbe(), "/actuator/health/liveness");
            assertProbe(chute, chute.getReadinessProbe(), "/actuator/health/readiness");
            assertThat(chute.getResources().getRequests()).containsKeys("cpu", "memory");
            assertThat(chute.getResources().getLimits()).containsKey("memory");
            chute.getEnvFrom().forEach(from -> {
                if (from.getConfigMapRef() != null) {
                    assertThat(named(ConfigMap.class, from.getConfigMapRef().getName()))
                            .isNotNull();
                }
                if (from.getSecretRef() != null) {
                    assertThat(named(Secret.class, from.getSecretRef().getName())
                                    .getStringData())
                            .containsKey("CHUTE_AUTH_TOKEN_SECRET");
                }
            });
            assertThat(of(PodDisruptionBudget.class))
                    .as("a disruption budget for " + deployment.getMetadata().getName())
                    .anyMatch(pdb -> labels.entrySet()
                            .containsAll(
                                    pdb.getSpec().getSelector().getMatchLabels().entrySet()));
        }
    }

    @Test
    void theIngressReachesTheApiServiceWithWebSocketFriendlyTimeoutsAndUnbufferedUploads() {
        Ingress ingress = of(Ingress.class).getFirst();
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-request-buffering", "off")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "0");
        var backend = ingress.getSpec()
                .getRules()
                .getFirst()
                .getHttp()
                .getPaths()
                .getFirst()
                .getBackend()
                .getService();
        Service service = named(Service.class, backend.getName());
        assertThat(service.getSpec().getPorts())
                .anyMatch(p -> p.getName().equals(backend.getPort().getName()));
        Deployment api = of(Deployment.class).stream()
                .filter(d -> d.getSpec()
                        .getTemplate()
                        .getMetadata()
                        .getLabels()
                        .entrySet()
                        .containsAll(service.getSpec().getSelector().entrySet()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no Deployment behind Service " + service.getMetadata().getName()));
        assertThat(roles(api)).contains("gateway");
        List<String> containerPorts =
                api.getSpec().getTemplate().getSpec().getContainers().getFirst().getPorts().stream()
                        .map(p -> p.getName())
                        .toList();
        assertThat(service.getSpec().getPorts())
                .allSatisfy(p ->
                        assertThat(containerPorts).contains(p.getTargetPort().getStrVal()));
    }

    @Test
    void kedaScalesTheWorkersOnQueueDepth() {
        Map<String, Object> scaled = documents.stream()
                .filter(d -> SCALED_OBJECT.equals(kindOf(d)))
                .findFirst()
                .orElseThrow();
        assertThat(scaled).containsOnlyKeys("apiVersion", "kind", "metadata", "spec");
        Map<String, Object> spec = mapOf(scaled.get("spec"));
        assertThat(spec.keySet())
                .isSubsetOf(
                        "scaleTargetRef",
                        "minReplicaCount",
                        "maxReplicaCount",
                        "pollingInterval",
                        "cooldownPeriod",
                        "idleReplicaCount",
                        "fallback",
                        "advanced",
                        "triggers");
        Map<String, Object> target = mapOf(spec.get("scaleTargetRef"));
        assertThat(target.keySet()).isSubsetOf("name", "kind", "apiVersion", "envSourceContainerName");
        assertThat(roles(named(Deployment.class, (String) target.get("name")))).isEqualTo("worker");
        assertThat((Integer) spec.get("minReplicaCount")).isPositive().isLessThan((Integer)
                spec.get("maxReplicaCount"));
        List<Map<String, Object>> triggers = listOf(spec.get("triggers"));
        assertThat(triggers).isNotEmpty().allSatisfy(trigger -> {
            assertThat(trigger.keySet()).isSubsetOf("type", "metadata", "name", "authenticationRef", "metricType");
            Map<String, Object> metadata = mapOf(trigger.get("metadata"));
            assertThat(metadata.values())
                    .as("KEDA trigger metadata values are strings")
                    .allMatch(v -> v instanceof String);
            switch ((String) trigger.get("type")) {
                case "prometheus" -> {
                    assertThat(metadata).containsKeys("serverAddress", "query", "threshold");
                    assertThat(DeployedQueries.metricsIn((String) metadata.get("query")))
                            .containsExactly("jobs_queue_depth");
                }
                case "rabbitmq" -> assertThat(metadata).containsKeys("queueName", "mode", "value");
                default -> throw new AssertionError("a trigger on something else than the queue: " + trigger);
            }
        });
    }

    private static void assertProbe(Container container, Probe probe, String path) {
        assertThat(probe).as(container.getName() + " probe on " + path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(container.getPorts())
                .anyMatch(p -> p.getName().equals(probe.getHttpGet().getPort().getStrVal()));
    }

    private static String roles(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
                .filter(e -> e.getName().equals("CHUTE_ROLES"))
                .findFirst()
                .orElseThrow()
                .getValue();
    }

    private static List<Deployment> deployments() {
        return of(Deployment.class);
    }

    private static <T extends HasMetadata> List<T> of(Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T named(Class<T> type, String name) {
        return of(type).stream()
                .filter(r -> r.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
    }

    private static String kindOf(Map<String, Object> document) {
        return document.get("apiVersion") + "/" + document.get("kind");
    }

    private static Class<? extends HasMetadata> modelOf(Map<String, Object> document) {
        Class<? extends HasMetadata> model = MODEL.get(kindOf(document));
        if (model == null) {
            throw new AssertionError("a kind this check does not know: " + kindOf(document));
        }
        return model;
    }

    /**
     * The model keeps what it does not know in {@code additionalProperties} instead of failing; a
     * misspelt or misplaced field ends up there, anywhere in the tree.
     */
    private static void unknownFields(Object node, String path, List<String> found) {
        if (node == null || !node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            String child = path + "." + getter.getName().substring(3);
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) value).keySet().forEach(k -> found.add(path + "." + k));
            } else if (value instanceof Collection<?> items) {
                items.forEach(item -> unknownFields(item, child, found));
            } else if (value instanceof Map<?, ?> entries) {
                entries.values().forEach(item -> unknownFields(item, child, found));
            } else {
                unknownFields(value, child, found);
            }
        }
    }

    @Test
    void aMisspeltFieldIsFound() {
        Map<String, Object> bad = new Yaml().load("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          readinessProbe: {httpGet: {path: /, port: 80}, periodSecond: 5}
                """);
        List<String> unknown = new ArrayList<>();
        unknownFields(JACKSON.convertValue(bad, Deployment.class), "Deployment/x", unknown);
        assertThat(unknown).singleElement().asString().endsWith("ReadinessProbe.periodSecond");
    }
}
