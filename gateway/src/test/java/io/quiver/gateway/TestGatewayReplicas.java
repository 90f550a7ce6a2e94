package io.quiver.gateway;

import java.util.HashMap;
import java.util.Map;

import io.quiver.testing.TestDatabase;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A second gateway replica beside a test's own: the same database and defaults, its own
 * random port, as a load balancer would see two pods.
 */
public final class TestGatewayReplicas {

	private TestGatewayReplicas() {
	}

	/**
	 * @return a started gateway; close it when done
	 */
	public static ConfigurableApplicationContext start() {
		Map<String, Object> properties = new HashMap<>(TestWorkerContextCustomizerFactory.defaults());
		TestDatabase database = TestDatabase.get();
		properties.put("spring.datasource.url", database.url());
		properties.put("spring.datasource.username", database.username());
		properties.put("spring.datasource.password", database.password());
		properties.put("quiver.database.embedded", "false");
		properties.put("server.port", "0");
		// As arguments, so they outrank application.yml as a test's own properties do.
		String[] arguments = properties.entrySet()
			.stream()
			.map((property) -> "--" + property.getKey() + "=" + property.getValue())
			.toArray(String[]::new);
		return new SpringApplicationBuilder(GatewayApplication.class).run(arguments);
	}

}
