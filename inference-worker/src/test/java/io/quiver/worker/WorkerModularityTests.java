package io.quiver.worker;

import java.nio.file.Path;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Keeps the engine plain Java: no Spring below {@code api}, nothing of the engine
 * reaching up into {@code api}, and a scheduler free of tensors and threads' frameworks.
 */
class WorkerModularityTests {

	private static final String[] ENGINE = { "io.quiver.worker.model..", "io.quiver.worker.weights..",
			"io.quiver.worker.tensor..", "io.quiver.worker.kvcache..", "io.quiver.worker.scheduler..",
			"io.quiver.worker.sampler..", "io.quiver.worker.adapter..", "io.quiver.worker.tokenizer..",
			"io.quiver.worker.engine..", "io.quiver.worker.demo..", "io.quiver.worker.bench.." };

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPath(Path.of("target/classes"));

	@Test
	void whenEnginePackagesAreCheckedThenNoneUsesSpring() {
		noClasses().that()
			.resideInAnyPackage(ENGINE)
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "jakarta.servlet..")
			.check(this.classes);
	}

	@Test
	void whenEnginePackagesAreCheckedThenNoneReachesUpIntoTheApi() {
		noClasses().that()
			.resideInAnyPackage(ENGINE)
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.quiver.worker.api..")
			.check(this.classes);
	}

	@Test
	void whenTheSchedulerIsCheckedThenItHoldsNoTensors() {
		noClasses().that()
			.resideInAPackage("io.quiver.worker.scheduler..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("ai.djl..", "java.util.concurrent..")
			.check(this.classes);
	}

}
