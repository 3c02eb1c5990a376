package io.chute.config;

import java.util.Set;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code chute.roles}, bound as {@link ChuteProperties} binds it, holds the annotation's role. */
class OnRoleCondition implements Condition {

    static final Set<String> ROLES = Set.of("api", "gateway", "worker");

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String role = (String) metadata.getAnnotationAttributes(ConditionalOnRole.class.getName())
                .get("value");
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("@ConditionalOnRole(\"" + role + "\"): the roles are " + ROLES);
        }
        return roles(Binder.get(context.getEnvironment())).contains(role);
    }

    static Set<String> roles(Binder binder) {
        return binder.bind("chute.roles", Bindable.setOf(String.class)).orElse(ROLES);
    }
}
