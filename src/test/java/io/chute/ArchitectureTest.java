package io.chute;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.io.ByteArrayOutputStream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.web.bind.annotation.RestController;

/**
 * The package and dependency rules of the main code. {@code failOnEmptyShould} stays on: a rule
 * whose selection matches no class fails instead of passing without checking anything.
 */
@AnalyzeClasses(packages = "io.chute", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule featuresAreFreeOfCycles = slices().matching("io.chute.(*)..")
            .should()
            .beFreeOfCycles()
            .because("a feature package must be understandable and changeable without the ones that depend on it");

    @ArchTest
    static final ArchRule imageEngineIsPlainJava = noClasses()
            .that()
            .resideInAPackage("io.chute.processing.image..")
            .and()
            .doNotHaveSimpleName("ImageProcessor")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.springframework..")
            .because("the image engine is pure Java, testable and reusable without a Spring context; "
                    + "ImageProcessor is the one processor bean that picks an engine from the configuration");

    @ArchTest
    static final ArchRule rabbitMqStaysInItsAdapters = noClasses()
            .that()
            .resideOutsideOfPackages("io.chute.broker..", "io.chute.job.rabbit..")
            .and()
            .haveNameNotMatching("io\\.chute\\.realtime\\.RabbitEventBus(\\$.*)?")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.rabbitmq..", "org.springframework.amqp..")
            .because("RabbitMQ is one adapter among two for the job queue and the event bus: its client types stay in "
                    + "the broker package, the job queue's rabbit adapter and the event bus's RabbitEventBus");

    @ArchTest
    static final ArchRule awsSdkStaysInTheS3Adapter = noClasses()
            .that()
            .haveNameNotMatching("io\\.chute\\.storage\\.S3(ObjectStore|Upload)(\\$.*)?")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("software.amazon..")
            .because(
                    "S3 is one ObjectStore adapter among two: the rest of Chute speaks ObjectStore, never the AWS SDK");

    @ArchTest
    static final ArchRule jobPackagesAreFreeOfCycles = slices().matching("io.chute.job.(*)..")
            .should()
            .beFreeOfCycles()
            .because("the queue adapters (postgres, rabbit) and the HTTP API (web) each stand on the engine alone");

    @ArchTest
    static final ArchRule jobEngineKnowsNoAdapter = noClasses()
            .that()
            .resideInAPackage("io.chute.job")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.chute.job.postgres..", "io.chute.job.rabbit..", "io.chute.job.web..")
            .because("adapters and the HTTP API depend on the engine and its JobQueue port, never the other way round");

    @ArchTest
    static final ArchRule featuresUseOnlyTheJobEngine = noClasses()
            .that()
            .resideInAnyPackage(
                    "io.chute.realtime..",
                    "io.chute.chat..",
                    "io.chute.upload..",
                    "io.chute.zip..",
                    "io.chute.processing..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.chute.job.postgres..", "io.chute.job.rabbit..", "io.chute.job.web..")
            .because(
                    "other features use jobs through the engine's public types (Jobs, JobService, JobChanges, JobView); "
                            + "which queue runs them is the job package's own business");

    @ArchTest
    static final ArchRule jobQueueKnowsNothingOfItsClients = noClasses()
            .that()
            .resideInAPackage("io.chute.job..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.chute.upload..", "io.chute.processing..", "io.chute.realtime..")
            .because("the job queue is generic: uploads enqueue jobs, processors handle them and the gateway listens"
                    + " through JobChanges, never the other way round");

    @ArchTest
    static final ArchRule chatIsALeaf = noClasses()
            .that()
            .resideOutsideOfPackage("io.chute.chat..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.chute.chat..")
            .because("uploads, jobs, zips and the gateway reach chat only through ports it implements "
                    + "(FileSharing, ChannelDirectory, JobAudience, SocketListener, FrameHandler, IncomingHandler)");

    @ArchTest
    static final ArchRule onlyRepositoriesUseJdbcClient = noClasses()
            .that()
            .resideInAPackage("io.chute..")
            .and()
            .areNotAnnotatedWith(Repository.class)
            .should()
            .dependOnClassesThat(belongToAnyOf(JdbcClient.class))
            .because("SQL lives in the @Repository collections (Jobs, Uploads, Users); "
                    + "JobWorker holds a raw DataSource only for LISTEN/NOTIFY");

    @ArchTest
    static final ArchRule bytesAreStreamedNotBuffered = noClasses()
            .that()
            .resideInAPackage("io.chute..")
            .should()
            .dependOnClassesThat()
            .areAssignableTo(ByteArrayOutputStream.class)
            .because(
                    "uploads and renditions can be large: every read and write is a stream, never a whole object in memory");

    @ArchTest
    static final ArchRule controllersDoNotRunSql = noClasses()
            .that()
            .areAnnotatedWith(RestController.class)
            .should()
            .dependOnClassesThat(belongToAnyOf(JdbcClient.class))
            .because("controllers translate HTTP; queries belong to the @Repository collections");
}
