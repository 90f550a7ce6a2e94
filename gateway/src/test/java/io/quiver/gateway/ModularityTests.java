package io.quiver.gateway;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the module walls of the architecture standing: who may depend on whom, and no
 * framework inside the engine. It reads the production classes of every module (the
 * gateway's test classpath holds them all).
 */
class ModularityTests {

	private static JavaClasses classes;

	@BeforeAll
	static void importClasses() {
		List<Path> modules = Stream.of("gateway", "tenancy", "audit", "db", "inference-worker")
			.map((module) -> Path.of("..", module, "target", "classes").toAbsolutePath().normalize())
			.toList();
		assertThat(modules).allSatisfy((dir) -> assertThat(dir).isDirectory());
		classes = new ClassFileImporter().importPaths(modules);
	}

	@Test
	void whenTenancyIsReadThenItDependsOnNoOtherQuiverModule() {
		noClasses().that()
			.resideInAPackage("io.quiver.tenancy..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.quiver.gateway..", "io.quiver.audit..", "io.quiver.worker..")
			.allowEmptyShould(true)
			.check(classes);
	}

	@Test
	void whenAuditIsReadThenItDependsOnNoOtherQuiverModule() {
		noClasses().that()
			.resideInAPackage("io.quiver.audit..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.quiver.gateway..", "io.quiver.tenancy..", "io.quiver.worker..")
			.allowEmptyShould(true)
			.check(classes);
	}

	@Test
	void whenGatewayIsReadThenItSharesNoCodeWithTheWorker() {
		noClasses().that()
			.resideInAPackage("io.quiver.gateway..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.quiver.worker..")
			.check(classes);
	}

	@Test
	void whenWorkerIsReadThenItDependsOnNoOtherQuiverModule() {
		noClasses().that()
			.resideInAPackage("io.quiver.worker..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.quiver.gateway..", "io.quiver.tenancy..", "io.quiver.audit..", "io.quiver.db..")
			.allowEmptyShould(true)
			.check(classes);
	}

}
