package io.chute.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.util.Map;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.AliasFor;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfiguration;

/**
 * An end-to-end test of the whole of Chute in this JVM, reached over real HTTP on a random port
 * ({@code @LocalServerPort}), on the backends its properties choose (by default the zero-config
 * embedded ones) and a fresh data directory of its own: an empty system. Test classes with the same
 * properties share one running Chute (Spring's context cache); give a test that needs a system to
 * itself a property of its own, or {@code @DirtiesContext}. Values known only at run time (a
 * broker's virtual host, a port) go in a {@code @DynamicPropertySource}.
 *
 * <pre>
 * &#64;ChuteIT({"chute.roles=api", "chute.jobs.queue-limit=2"})
 * class JobControlIT { ... }
 * </pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = ChuteIT.FreshDataDir.class)
public @interface ChuteIT {

    /** Chute's properties for this test, as {@code key=value}. */
    @AliasFor(annotation = SpringBootTest.class, attribute = "properties")
    String[] value() default {};

    /** Points {@code chute.data-dir} at a new temporary directory, unless the test sets one. */
    final class FreshDataDir implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            if (context.getEnvironment().containsProperty("chute.data-dir")) {
                return;
            }
            try {
                String dir = Files.createTempDirectory("chute-it-").toString();
                context.getEnvironment()
                        .getPropertySources()
                        .addFirst(new MapPropertySource("chuteItDataDir", Map.of("chute.data-dir", dir)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
