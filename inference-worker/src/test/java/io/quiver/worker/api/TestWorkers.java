package io.quiver.worker.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.quiver.worker.WorkerApplication;
import io.quiver.worker.demo.DemoModel;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the real worker (HTTP API and engine) on the tiny demo model and its demo
 * adapters, the way the gateway's tests start it.
 */
final class TestWorkers {

	private TestWorkers() {
	}

	/**
	 * Generates the tiny model under {@code dir/tiny} and its adapters under
	 * {@code dir/adapters}, and starts a worker on them.
	 * @param dir a fresh folder
	 * @param properties more {@code key=value} properties
	 * @return the running worker
	 */
	static ConfigurableApplicationContext start(Path dir, String... properties) throws Exception {
		Path model = dir.resolve("tiny");
		DemoModel.generate(model, DemoModel.Shape.TINY);
		DemoModel.generateAdapters(model, dir.resolve("adapters"));
		List<String> all = new ArrayList<>(
				List.of("quiver.worker.model-dir=" + model, "quiver.worker.adapters-dir=" + dir.resolve("adapters"),
						"quiver.worker.kv-cache-size=16MB", "server.port=0"));
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(WorkerApplication.class).properties(all.toArray(String[]::new)).run();
	}

	/** The worker's base URL. */
	static String baseUrl(ConfigurableApplicationContext context) {
		return "http://localhost:" + ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
