package io.chute.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/**
 * Registers a bean or configuration only when one of the configured backends is among the given
 * ones: {@code @ConditionalOnBackend(queue = RABBITMQ)}, or {@code (queue = RABBITMQ, bus = RABBITMQ)}
 * for "either of them". The types are bound like {@link ChuteProperties} binds them, so a value
 * that is no type stops the start with a message naming the property (not a missing bean).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnBackendCondition.class)
public @interface ConditionalOnBackend {

    /** Matches when {@code chute.queue.type} is one of these. */
    ChuteProperties.QueueType[] queue() default {};

    /** Matches when {@code chute.storage.type} is one of these. */
    ChuteProperties.StorageType[] storage() default {};

    /** Matches when {@code chute.bus.type} is one of these. */
    ChuteProperties.BusType[] bus() default {};
}
