package io.chute.config;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition of {@link ConditionalOnBackend}: binds {@code chute.queue}, {@code chute.storage}
 * and {@code chute.bus} as {@link ChuteProperties} does (same records, same defaults).
 */
// why: @ConditionalOnProperty compares strings, so a typo silently matches nothing and the start fails later on a
// missing bean; binding the enum here makes the typo itself the start-up failure, naming the property
class OnBackendCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> wanted = metadata.getAnnotationAttributes(ConditionalOnBackend.class.getName());
        Binder binder = Binder.get(context.getEnvironment());
        return isAmong(
                        wanted.get("queue"),
                        () -> binder.bindOrCreate("chute.queue", ChuteProperties.Queue.class)
                                .type())
                || isAmong(
                        wanted.get("storage"),
                        () -> binder.bindOrCreate("chute.storage", ChuteProperties.Storage.class)
                                .type())
                || isAmong(
                        wanted.get("bus"),
                        () -> binder.bindOrCreate("chute.bus", ChuteProperties.Bus.class)
                                .type());
    }

    private static boolean isAmong(Object wanted, Supplier<Enum<?>> configured) {
        Object[] types = (Object[]) wanted;
        return types.length > 0 && List.of(types).contains(configured.get());
    }
}
