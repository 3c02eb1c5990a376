package io.chute.config;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition of {@link ConditionalOnBackend}.
 */
// why: @ConditionalOnProperty compares strings, so a typo silently matches nothing and the start fails later on a
// missing bean; binding the enum here makes the typo itself the start-up failure, naming the property
class OnBackendCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> wanted = metadata.getAnnotationAttributes(ConditionalOnBackend.class.getName());
        Binder binder = Binder.get(context.getEnvironment());
        return isAmong(binder, "chute.queue.type", ChuteProperties.QueueType.class, ChuteProperties.QueueType.POSTGRES,
                        (Object[]) wanted.get("queue"))
                || isAmong(binder, "chute.storage.type", ChuteProperties.StorageType.class,
                        ChuteProperties.StorageType.FILESYSTEM, (Object[]) wanted.get("storage"))
                || isAmong(binder, "chute.bus.type", ChuteProperties.BusType.class, ChuteProperties.BusType.LOCAL,
                        (Object[]) wanted.get("bus"));
    }

    private static <E extends Enum<E>> boolean isAmong(Binder binder, String property, Class<E> type, E fallback,
            Object[] wanted) {
        return wanted.length > 0 && List.of(wanted).contains(binder.bind(property, type).orElse(fallback));
    }
}
