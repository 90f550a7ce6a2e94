package io.quiver.testing;

import java.util.List;
import java.util.Map;

import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;

/**
 * Points every Spring test context at {@link TestDatabase} by putting
 * {@code spring.datasource.*} first among the property sources. Registered in
 * {@code META-INF/spring.factories}, so a test needs nothing but this module on its
 * classpath.
 */
public class TestDatabaseContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		return new TestDatabaseCustomizer();
	}

	private record TestDatabaseCustomizer() implements ContextCustomizer {

		@Override
		public void customizeContext(org.springframework.context.ConfigurableApplicationContext context,
				org.springframework.test.context.MergedContextConfiguration mergedConfig) {
			TestDatabase database = TestDatabase.get();
			context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("quiverTestDatabase",
						Map.of("spring.datasource.url", database.url(), "spring.datasource.username",
								database.username(), "spring.datasource.password", database.password(),
								"quiver.database.embedded", "false")));
		}

	}

}
