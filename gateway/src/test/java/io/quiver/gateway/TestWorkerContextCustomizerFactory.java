package io.quiver.gateway;

import java.util.List;
import java.util.Map;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Gives every gateway test context the shared {@link TestWorker} and test-friendly
 * settings, as defaults a test's own properties override. Being equal for every test, it
 * keeps Spring's context cache working across test classes.
 */
public class TestWorkerContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		return new TestWorkerCustomizer();
	}

	/**
	 * @return what every gateway test context gets unless it says otherwise; limits are
	 * counted in Redis when one answers, so limit tests exercise the shared store
	 */
	public static Map<String, Object> defaults() {
		Map<String, Object> defaults = new java.util.HashMap<>();
		defaults.put("quiver.routing.workers", TestWorker.get().url());
		defaults.put("quiver.home", "target/quiver-home");
		defaults.put("quiver.usage.flush-interval", "100ms");
		defaults.put("quiver.adapters.max-upload-size", "1MB");
		defaults.put("quiver.adapters.https-source-hosts", "models.example.com, *.hub.example.org");
		defaults.put("quiver.adapters.bucket-sources",
				"s3://adapters/, s3://x/, s3://b/, s3://tenant-adapters/{tenant}/, hf://acme/");
		defaults.put("quiver.adapters.base-models." + TestWorker.BASE_MODEL + ".hidden-size", "16");
		defaults.put("quiver.adapters.base-models." + TestWorker.BASE_MODEL + ".intermediate-size", "32");
		if (TestRedis.available()) {
			defaults.put("quiver.limits.store", "redis");
			defaults.put("spring.data.redis.url", TestRedis.url());
		}
		return defaults;
	}

	private record TestWorkerCustomizer() implements ContextCustomizer {

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration merged) {
			MapPropertySource defaults = new MapPropertySource("quiverTestWorker", defaults());
			MutablePropertySources sources = context.getEnvironment().getPropertySources();
			// Above application.yml, below the test's own properties.
			if (sources.contains(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME)) {
				sources.addAfter(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME, defaults);
			}
			else {
				sources.addFirst(defaults);
			}
		}

	}

}
