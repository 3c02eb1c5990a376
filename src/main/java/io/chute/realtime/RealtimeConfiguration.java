package io.chute.realtime;

import io.chute.auth.Tokens;
import io.chute.broker.RabbitBroker;
import io.chute.config.ChuteProperties;
import io.chute.config.ConditionalOnRole;
import io.chute.job.JobTracing;
import io.chute.job.Jobs;
import io.chute.node.NodeId;
import io.chute.storage.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class RealtimeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RealtimeConfiguration.class);

    /** Characters of a client frame Tomcat hands over at once; a larger frame comes in pieces. */
    static final int TEXT_BUFFER_CHARS = 1024;

    /** Bytes of each connection's socket read and write buffer. */
    static final int SOCKET_BUFFER_BYTES = 2048;

    @Bean(destroyMethod = "close")
    EventBus eventBus(
            ChuteProperties properties, ObjectProvider<RabbitBroker> broker, NodeId node, JobTracing tracing) {
        if (properties.bus().type() == ChuteProperties.BusType.RABBITMQ) {
            return new RabbitEventBus(
                    broker.getObject(), node.value(), tracing, properties.bus().workerLanes());
        }
        return new LocalEventBus();
    }

    @Bean
    Events events(EventBus bus, EventLog eventLog, JsonMapper json, NodeId node, ObjectProvider<Gateway> gateway) {
        return new Events(bus, eventLog, json, node.value(), (user, channel) -> {
            Gateway here = gateway.getIfAvailable();
            return here != null && here.follows(user, channel);
        });
    }

    @Bean
    JobEvents jobEvents(
            Jobs jobs,
            ObjectStore store,
            ChuteProperties properties,
            Events events,
            List<JobAudience> audiences,
            JsonMapper json,
            JobTracing tracing) {
        return new JobEvents(jobs, store, properties.uploads().downloadUrlTtl(), events, audiences, json, tracing);
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService realtimeTimers() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "chute-realtime-timers");
            t.setDaemon(true);
            return t;
        });
        // why: every socket schedules its token's expiry; a closed socket cancels it, and must not stay referenced
        // until then
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /** Prunes the replay log on every node (deleting an old row twice is harmless). */
    @Bean
    SmartLifecycle replayLogPruning(
            EventLog eventLog, ChuteProperties properties, ScheduledExecutorService realtimeTimers) {
        return new Lifecycle(() -> realtimeTimers.scheduleWithFixedDelay(
                () -> {
                    try {
                        int pruned = eventLog.prune(properties.realtime().replayWindow());
                        if (pruned > 0) {
                            log.debug(
                                    "pruned {} events older than {}",
                                    pruned,
                                    properties.realtime().replayWindow());
                        }
                    } catch (RuntimeException e) {
                        log.warn("pruning the replay log failed: {}", e.toString());
                    }
                },
                1,
                1,
                TimeUnit.MINUTES));
    }

    /** The worker tier's side of the bus: runs submitted commands, a batch per transaction. */
    @Bean
    @ConditionalOnRole("worker")
    SmartLifecycle incomingConsumer(
            EventBus bus, List<IncomingHandler> handlers, TransactionTemplate tx, JsonMapper json, JobTracing tracing) {
        Map<String, IncomingHandler> byKind = new HashMap<>();
        for (IncomingHandler h : handlers) {
            if (byKind.put(h.kind(), h) != null) {
                throw new IllegalStateException("two incoming handlers of kind " + h.kind());
            }
        }
        return new Lifecycle(() -> bus.consumeIncoming(batch -> {
            // why: one transaction stores commands of several traces; each traced command gets its own span of it
            List<Span> spans = batch.stream()
                    .filter(c -> c.traceParent() != null)
                    .map(c -> tracing.start(c.traceParent(), c.kind() + " store"))
                    .toList();
            try {
                storeAll(batch, byKind, tx, json);
            } finally {
                JobTracing.endAll(spans);
            }
        }));
    }

    private static void storeAll(
            List<Incoming> batch, Map<String, IncomingHandler> byKind, TransactionTemplate tx, JsonMapper json) {
        tx.executeWithoutResult(status -> {
            // why: consecutive commands of one kind go to their handler together, in order, so it can do them in a few
            // statements
            int i = 0;
            while (i < batch.size()) {
                String kind = batch.get(i).kind();
                List<tools.jackson.databind.JsonNode> run = new java.util.ArrayList<>();
                for (; i < batch.size() && batch.get(i).kind().equals(kind); i++) {
                    run.add(json.readTree(batch.get(i).json()));
                }
                IncomingHandler handler = byKind.get(kind);
                if (handler == null) {
                    log.warn("dropping {} command(s) of unknown kind '{}'", run.size(), kind);
                    continue;
                }
                try {
                    handler.handleAll(run);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    @Bean
    @ConditionalOnRole("gateway")
    Gateway gateway(
            EventBus bus,
            ObjectProvider<ChannelDirectory> directory,
            List<SocketListener> listeners,
            JsonMapper json,
            MeterRegistry meters) {
        return new Gateway(bus, directory.getIfAvailable(() -> user -> Set.of()), listeners, json, meters);
    }

    @Bean
    @ConditionalOnRole("gateway")
    GatewaySocketHandler gatewaySocketHandler(
            Gateway gateway,
            EventLog eventLog,
            Tokens tokens,
            List<FrameHandler> frameHandlers,
            JsonMapper json,
            ChuteProperties properties,
            NodeId node,
            ScheduledExecutorService realtimeTimers) {
        ChuteProperties.Realtime r = properties.realtime();
        return new GatewaySocketHandler(
                gateway,
                eventLog,
                tokens.decoder(),
                frameHandlers,
                json,
                new GatewaySocketHandler.Settings(
                        r.authTimeout(),
                        r.idleTimeout(),
                        r.sendQueue(),
                        r.sendTimeout(),
                        r.framesPerSecond(),
                        (int) Math.min(Integer.MAX_VALUE, r.maxFrameSize().toBytes()),
                        node.value()),
                realtimeTimers);
    }

    @Bean
    @ConditionalOnRole("gateway")
    SmartLifecycle gatewayReceiver(EventBus bus, Gateway gateway) {
        return new Lifecycle(() -> {
            bus.onMissed(gateway::eventsMissed);
            bus.start(gateway::deliver);
        });
    }

    /** The WebSocket endpoint and this node's bus queue, on nodes with the gateway role. */
    @Configuration(proxyBeanMethods = false)
    @EnableWebSocket
    @ConditionalOnRole("gateway")
    static class GatewayConfiguration implements WebSocketConfigurer {

        private final GatewaySocketHandler handler;
        private final ChuteProperties properties;

        GatewayConfiguration(GatewaySocketHandler handler, ChuteProperties properties) {
            this.handler = handler;
            this.properties = properties;
        }

        @Override
        public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
            registry.addHandler(handler, "/ws")
                    .addInterceptors(handler)
                    .setAllowedOrigins(allowedOrigins().toArray(String[]::new));
        }

        /** The browser origins of {@code chute.cors.allowed-origins} and, as before, {@code chute.realtime.allowed-origins}. */
        private java.util.Set<String> allowedOrigins() {
            var origins = new java.util.LinkedHashSet<>(properties.cors().allowedOrigins());
            origins.addAll(properties.realtime().allowedOrigins());
            return origins;
        }

        @Bean
        ServletServerContainerFactoryBean webSocketContainer() {
            ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
            // why: Tomcat allocates these buffers per socket up front and keeps them while it is open; larger frames
            // arrive in pieces and are put together by the handler (the protocol has no binary frames)
            container.setMaxTextMessageBufferSize(TEXT_BUFFER_CHARS);
            container.setMaxBinaryMessageBufferSize(256);
            return container;
        }

        /**
         * Each connection's socket read and write buffers, allocated when it opens and kept while
         * it is, so an idle WebSocket holds both. Larger reads and writes (request bodies,
         * downloads) bypass them and go straight between the socket and the caller's buffer.
         */
        @Bean
        org.springframework.boot.tomcat.TomcatConnectorCustomizer leanSocketBuffers() {
            return connector -> {
                for (String property : List.of("socket.appReadBufSize", "socket.appWriteBufSize")) {
                    if (!connector.setProperty(property, String.valueOf(SOCKET_BUFFER_BYTES))) {
                        log.warn("Tomcat did not take {}; each connection keeps its default buffer", property);
                    }
                }
            };
        }
    }

    /** Runs {@code onStart} once every bean exists; stopping is the beans' own {@code close}. */
    static final class Lifecycle implements SmartLifecycle {
        private final Runnable onStart;
        private volatile boolean running;

        Lifecycle(Runnable onStart) {
            this.onStart = onStart;
        }

        @Override
        public void start() {
            onStart.run();
            running = true;
        }

        @Override
        public void stop() {
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
