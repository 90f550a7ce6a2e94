package io.quiver.audit;

import java.nio.file.Path;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Keeps the module's walls: it depends on no other Quiver module, and its web and
 * configuration classes stay out of the public surface.
 */
class AuditArchitectureTests {

	// The module's own compiled classes only: scanning the whole classpath for the
	// package is slow and adds nothing.
	private final JavaClasses audit = new ClassFileImporter().importPath(Path.of("target/classes"));

	@Test
	void whenAuditIsCompiledThenItUsesNoOtherQuiverModule() {
		noClasses().should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.quiver.tenancy..", "io.quiver.gateway..", "io.quiver.worker..",
					"io.quiver.inference..")
			.check(this.audit);
	}

	@Test
	void whenClassIsAControllerOrConfigurationThenItIsPackagePrivate() {
		classes().that()
			.areAnnotatedWith(RestController.class)
			.or()
			.areAnnotatedWith(RestControllerAdvice.class)
			.or()
			.areAnnotatedWith(Configuration.class)
			.or()
			.areAnnotatedWith(ConfigurationProperties.class)
			.should()
			.notBePublic()
			.check(this.audit);
	}

	@Test
	void whenFeaturePackagesAreUsedThenTheyNeverReachIntoTheWebLayer() {
		noClasses().that()
			.resideInAnyPackage("io.quiver.audit.chain..", "io.quiver.audit.trail..", "io.quiver.audit.verify..",
					"io.quiver.audit.checkpoint..", "io.quiver.audit.retention..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.quiver.audit.query..", "io.quiver.audit.cli..")
			.check(this.audit);
	}

}
