package io.quiver.gateway.devstack;

import java.nio.file.Path;
import java.util.Map;

import io.quiver.db.EmbeddedPostgres;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts an embedded PostgreSQL under {@code ${quiver.home}/postgres} when no
 * {@code spring.datasource.url} is configured, so the gateway runs on a laptop with no
 * setup. Production configures a real database and never gets here; set
 * {@code quiver.database.embedded=false} to fail instead of starting one.
 */
class EmbeddedDatabaseEnvironmentPostProcessor implements EnvironmentPostProcessor {

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.containsProperty("spring.datasource.url")
				|| !environment.getProperty("quiver.database.embedded", Boolean.class, true)) {
			return;
		}
		Path home = Path.of(environment.getProperty("quiver.home", ".quiver")).toAbsolutePath();
		int port = environment.getProperty("quiver.database.embedded-port", Integer.class, 0);
		EmbeddedPostgres postgres = EmbeddedPostgres.start(home.resolve("postgres"), port, true);
		postgres.createDatabaseIfMissing("quiver");
		environment.getPropertySources()
			.addFirst(new MapPropertySource("quiverEmbeddedDatabase",
					Map.of("spring.datasource.url", postgres.jdbcUrl("quiver"), "spring.datasource.username",
							postgres.username(), "spring.datasource.password", "")));
	}

}
